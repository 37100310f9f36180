package dev.respread.demo;

import java.util.List;

/**
 * One client stack of the soak, sending requests to the Service in a closed loop (a request
 * follows the answer to the last one) until it is stopped.
 */
interface SoakClient {
  /** Starts sending. */
  void start() throws Exception;

  /** Stops sending and returns once every request sent has its outcome counted. */
  void stop() throws Exception;

  /** What each of its stacks saw (one client may run several, such as gRPC call kinds). */
  List<SoakStats> stats();
}

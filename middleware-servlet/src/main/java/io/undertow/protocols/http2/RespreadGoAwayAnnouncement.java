package io.undertow.protocols.http2;

import io.undertow.server.protocol.framed.SendFrameHeader;
import io.undertow.util.ImmediatePooledByteBuffer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.xnio.ChannelListeners;

/**
 * The first GOAWAY of a graceful HTTP/2 drain on Undertow: GOAWAY(2^31-1, NO_ERROR), which tells
 * the client to open no new streams while the connection stays open (RFC 9113 §6.8).
 *
 * <p>Why this class lives in Undertow's package: Undertow's only public GOAWAY,
 * {@code Http2Channel.sendGoAway}, marks its frame as the last one, shuts the socket down for
 * writing and closes the connection, killing every stream still running. The frame base class
 * that a non-final GOAWAY needs is package-private. This is respread's code, not Undertow's; if
 * it cannot be loaded (for example on the module path, where split packages are refused)
 * respread falls back to a one-phase drain.
 */
public final class RespreadGoAwayAnnouncement extends Http2NoDataStreamSinkChannel {
  private static final int LAST_STREAM_ID_MAX = Integer.MAX_VALUE;
  private static final int NO_ERROR = 0;
  private static final int MAX_DEBUG_BYTES = 64;

  private final byte[] debugData;

  private RespreadGoAwayAnnouncement(Http2Channel channel, String debugData) {
    super(channel);
    byte[] bytes = debugData.getBytes(StandardCharsets.US_ASCII);
    this.debugData = bytes.length <= MAX_DEBUG_BYTES ? bytes : new byte[0];
  }

  /**
   * Queues GOAWAY(2^31-1, NO_ERROR, {@code debugData}) on {@code channel}. Call it on the
   * channel's I/O thread.
   */
  public static void send(Http2Channel channel, String debugData) throws IOException {
    RespreadGoAwayAnnouncement frame = new RespreadGoAwayAnnouncement(channel, debugData);
    frame.shutdownWrites();
    if (!frame.flush()) {
      frame.getWriteSetter().set(ChannelListeners.flushingChannelListener(null, null));
      frame.resumeWrites();
    }
  }

  @Override
  protected SendFrameHeader createFrameHeader() {
    int length = 8 + debugData.length;
    ByteBuffer buf = ByteBuffer.allocate(9 + length);
    // Frame header (RFC 9113 §4.1): 24-bit length, type, flags, stream 0.
    buf.put((byte) (length >>> 16)).put((byte) (length >>> 8)).put((byte) length);
    buf.put((byte) Http2Channel.FRAME_TYPE_GOAWAY);
    buf.put((byte) 0);
    buf.putInt(0);
    // GOAWAY payload (RFC 9113 §6.8): last stream id, error code, debug data.
    buf.putInt(LAST_STREAM_ID_MAX);
    buf.putInt(NO_ERROR);
    buf.put(debugData);
    buf.flip();
    return new SendFrameHeader(new ImmediatePooledByteBuffer(buf));
  }

  @Override
  protected boolean isLastFrame() {
    // Unlike Undertow's own GOAWAY, this one must not end the connection: streams keep running.
    return false;
  }
}

/**
 * The recycling engine: ends long-lived connections gracefully so that an L4 Kubernetes Service
 * spreads them again.
 *
 * <p>The engine ({@link dev.respread.ConnectionRecycler}) holds every policy. Protocol adapters
 * register each accepted connection, report requests and closes through a
 * {@link dev.respread.TrackedConnection}, and carry out drains through the
 * {@link dev.respread.DrainableConnection} they implement. A {@link dev.respread.LoadView} tells the
 * engine how this pod's load compares with the rest of the Service.
 *
 * <p>Everything in this package is non-null unless a method says otherwise.
 */
package dev.respread;

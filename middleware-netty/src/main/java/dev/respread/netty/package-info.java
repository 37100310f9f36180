/**
 * Netty channel handlers that let a {@link dev.respread.ConnectionRecycler} end HTTP/1.1 and HTTP/2
 * connections gracefully: {@link dev.respread.netty.HttpRecyclingHandler} for
 * {@code HttpServerCodec} pipelines and {@link dev.respread.netty.Http2RecyclingHandler} for
 * {@code Http2FrameCodec} and {@code Http2ConnectionHandler} pipelines.
 *
 * <p>The handlers only report facts to the recycler and carry out the drains it asks for; every
 * decision is the recycler's.
 *
 * <p>Everything in this package is non-null unless a method says otherwise.
 */
package dev.respread.netty;

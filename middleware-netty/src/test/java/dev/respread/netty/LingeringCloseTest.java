package dev.respread.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.Future;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The lingering close on a real loopback connection. */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class LingeringCloseTest {
  private final EventLoopGroup group = new NioEventLoopGroup(1);

  @AfterEach
  void tearDown() {
    group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @Test
  void theClientSeesTheLastWordsThenAFinAndClosingItCancelsTheLingerTimer() throws Exception {
    CompletableFuture<Future<?>> timer = new CompletableFuture<>();
    CompletableFuture<Channel> accepted = new CompletableFuture<>();
    Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInboundHandlerAdapter() {
          @Override
          public void channelActive(ChannelHandlerContext ctx) {
            accepted.complete(ctx.channel());
            ctx.writeAndFlush(Unpooled.copiedBuffer("bye", StandardCharsets.US_ASCII))
                .addListener(f -> timer.complete(LingeringClose.start(ctx.channel())));
          }
        })
        .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    try (Socket client = new Socket("127.0.0.1",
        ((InetSocketAddress) server.localAddress()).getPort())) {
      client.setSoTimeout(30_000);
      InputStream in = client.getInputStream();

      // Reading to the end throws "Connection reset" if the server sent an RST instead of a FIN.
      assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("bye");
      assertThat(timer.get(30, TimeUnit.SECONDS)).isNotNull();
    }

    // The client has closed: so does the server, without waiting for the timer.
    assertThat(accepted.get().closeFuture().await(30, TimeUnit.SECONDS)).isTrue();
    Future<?> linger = timer.get();
    assertThat(linger.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(linger.isCancelled()).isTrue();
    server.close().sync();
  }
}

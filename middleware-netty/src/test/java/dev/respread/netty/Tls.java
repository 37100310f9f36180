package dev.respread.netty;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;

/**
 * A self-signed server certificate made with the JDK's keytool, once per JVM. (Netty's
 * SelfSignedCertificate needs BouncyCastle or JDK internals, which are closed on JDK 17.)
 */
final class Tls {
  private static final char[] PASSWORD = "changeit".toCharArray();
  private static KeyStore keyStore;

  private Tls() {}

  static synchronized KeyStore keyStore() throws Exception {
    if (keyStore == null) {
      Path dir = Files.createTempDirectory("respread-tls");
      Path file = dir.resolve("server.p12");
      try {
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Tools.run(List.of(keytool, "-genkeypair", "-alias", "server", "-keyalg", "EC",
            "-groupname", "secp256r1", "-dname", "CN=localhost", "-ext",
            "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
            "-keystore", file.toString(), "-storepass", new String(PASSWORD)));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
          ks.load(in, PASSWORD);
        }
        keyStore = ks;
      } finally {
        // Also when keytool fails: no key store left behind in the temp folder.
        Files.deleteIfExists(file);
        Files.delete(dir);
      }
    }
    return keyStore;
  }

  /** A server context offering h2 and http/1.1 through ALPN. */
  static SslContext serverContext() throws Exception {
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(
        KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keyStore(), PASSWORD);
    return SslContextBuilder.forServer(kmf)
        .applicationProtocolConfig(new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
        .build();
  }
}

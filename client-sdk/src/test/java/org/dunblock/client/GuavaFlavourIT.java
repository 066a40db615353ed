package org.dunblock.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.hash.BloomFilter;
import com.google.common.hash.Funnels;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The server serializes filters with Guava -jre, apps read them with Guava -android: the format must be the same.
 * Loads the server fat jar's own Guava in a separate class loader (this module's classpath has the -android one).
 */
class GuavaFlavourIT {
  @Test
  void filterWrittenByTheServersGuavaJreIsReadByGuavaAndroid() throws Exception {
    Path jar = Path.of(System.getProperty("dunblock.serverJar", "../server/target/dunblock-server.jar"));
    assertTrue(Files.exists(jar), "build the server first (mvn verify from the root): " + jar);
    try (URLClassLoader jre = new URLClassLoader(new URL[] {jar.toUri().toURL()},
        ClassLoader.getPlatformClassLoader())) {
      Properties pom = new Properties();
      try (InputStream in = jre.getResourceAsStream("META-INF/maven/com.google.guava/guava/pom.properties")) {
        pom.load(in);
      }
      assertTrue(pom.getProperty("version").endsWith("-jre"), "server Guava: " + pom.getProperty("version"));

      Class<?> bloomClass = jre.loadClass("com.google.common.hash.BloomFilter");
      Class<?> funnelClass = jre.loadClass("com.google.common.hash.Funnel");
      Object funnel = jre.loadClass("com.google.common.hash.Funnels").getMethod("stringFunnel", Charset.class)
          .invoke(null, StandardCharsets.UTF_8);
      Object written = bloomClass.getMethod("create", funnelClass, long.class, double.class)
          .invoke(null, funnel, 16_384L, 0.01);
      Method put = bloomClass.getMethod("put", Object.class);
      String[] numbers = new String[500];
      for (int i = 0; i < numbers.length; i++) {
        numbers[i] = "+86138" + String.format("%08d", i * 7919);
        put.invoke(written, numbers[i]);
      }
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      bloomClass.getMethod("writeTo", OutputStream.class).invoke(written, bytes);

      BloomFilter<CharSequence> read = BloomFilter.readFrom(new ByteArrayInputStream(bytes.toByteArray()),
          Funnels.stringFunnel(StandardCharsets.UTF_8));
      for (String n : numbers) {
        assertTrue(read.mightContain(n), n);
      }
      // Same hashing on both sides: the android filter built from the same numbers has the same bits.
      BloomFilter<CharSequence> android = BloomFilter.create(Funnels.stringFunnel(StandardCharsets.UTF_8), 16_384L, 0.01);
      for (String n : numbers) {
        android.put(n);
      }
      ByteArrayOutputStream androidBytes = new ByteArrayOutputStream();
      android.writeTo(androidBytes);
      assertArrayEquals(bytes.toByteArray(), androidBytes.toByteArray());
    }
  }
}

package dev.respread;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** The {@link LoadViewProvider}s on the class path. */
final class LoadViewProviders {
  private LoadViewProviders() {}

  static List<LoadViewProvider> all() {
    List<LoadViewProvider> providers = new ArrayList<>();
    ServiceLoader.load(LoadViewProvider.class, LoadViewProviders.class.getClassLoader())
        .forEach(providers::add);
    return providers;
  }
}

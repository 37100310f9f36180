package dev.respread.spring;

import static java.util.Objects.requireNonNull;

import dev.respread.ConnectionRecycler;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * respread's connections and load view under {@code /actuator/health}. Never {@code DOWN}:
 * respread failing to see the Service's load is no reason to restart or unready a pod, since
 * the age and request rules still hold. A view that is waiting or stale shows as
 * {@code UNKNOWN}, which the default aggregation ranks below {@code UP}.
 */
final class RespreadHealthIndicator implements HealthIndicator {
  private final ConnectionRecycler recycler;

  RespreadHealthIndicator(ConnectionRecycler recycler) {
    this.recycler = requireNonNull(recycler, "recycler");
  }

  @Override
  public Health health() {
    String view = RecyclerState.viewState(recycler);
    boolean usable = view.equals(RecyclerState.VIEW_NONE) || view.equals(RecyclerState.VIEW_FRESH);
    return Health.status(usable ? Status.UP : Status.UNKNOWN)
        .withDetails(RecyclerState.details(recycler)).build();
  }
}

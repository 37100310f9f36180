package dev.respread.spring;

import static java.util.Objects.requireNonNull;

import dev.respread.ConnectionRecycler;
import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;

/** respread's main settings and its load view's state under {@code /actuator/info}. */
final class RespreadInfoContributor implements InfoContributor {
  private final ConnectionRecycler recycler;

  RespreadInfoContributor(ConnectionRecycler recycler) {
    this.recycler = requireNonNull(recycler, "recycler");
  }

  @Override
  public void contribute(Info.Builder builder) {
    var info = RecyclerState.settings(recycler.config());
    info.put("view", RecyclerState.viewState(recycler));
    builder.withDetail("respread", info);
  }
}

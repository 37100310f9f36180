package dev.respread.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.respread.InvalidConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** What a user sees when an application starts with bad respread settings. */
@ExtendWith(OutputCaptureExtension.class)
class StartupFailureTest {

  @Test
  void badSettingsStopStartUpWithRespreadsMessageAsTheFailureDescription(CapturedOutput output) {
    assertThatThrownBy(() -> new SpringApplicationBuilder(RespreadAutoConfiguration.class)
        .web(WebApplicationType.NONE)
        .properties("respread.jitter=1.5", "respread.max-requests-per-connection=1")
        .run().close())
        .hasRootCauseInstanceOf(InvalidConfigurationException.class);

    assertThat(output).contains("APPLICATION FAILED TO START",
        "Invalid respread configuration (2 problems):\n"
            + "  respread.jitter: \"1.5\" (expected: 0.0 to 1.0)\n"
            + "  respread.max-requests-per-connection: \"1\" (expected: 0 to turn off, or >= 2)",
        "Correct the respread.* properties");
  }
}

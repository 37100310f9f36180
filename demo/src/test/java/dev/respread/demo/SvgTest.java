package dev.respread.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SvgTest {
  @Test
  void escapeLeavesNoMarkupAndNoWayOutOfAQuotedAttribute() {
    assertThat(Svg.escape("<script>alert('x') & \"y\"</script>"))
        .isEqualTo("&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;");
  }

  @Test
  void escapeKeepsOtherTextAsItIs() {
    assertThat(Svg.escape("balanced (≤ 1.25) after scale-out {load=4}"))
        .isEqualTo("balanced (≤ 1.25) after scale-out {load=4}");
  }

  @Test
  void numbersHaveAtMostOneDecimalAndNoNegativeZero() {
    assertThat(Svg.number(12.0)).isEqualTo("12");
    assertThat(Svg.number(12.345)).isEqualTo("12.3");
    assertThat(Svg.number(-0.01)).isEqualTo("0");
    assertThat(Svg.number(1e7)).isEqualTo("10000000");
  }

  @Test
  void aNumberThatIsNotFiniteIsRefused() {
    assertThatThrownBy(() -> Svg.number(Double.NaN))
        .hasMessage("v: NaN (expected: a finite number)");
  }

  @Test
  void aLinearScaleMapsTheDomainOntoTheRangeInProportion() {
    // A y axis: 0 calls at the bottom (252 px), 150 at the top (28 px).
    Svg.Scale y = Svg.linear(0, 150, 252, 28);

    assertThat(y.at(0)).isEqualTo(252);
    assertThat(y.at(150)).isEqualTo(28);
    assertThat(y.at(75)).isEqualTo(140);
  }

  @Test
  void aLogScaleGivesEveryPowerOfTenTheSameWidth() {
    Svg.Scale x = Svg.log(0.1, 1000, 64, 744);

    assertThat(x.at(0.1)).isCloseTo(64, within(1e-9));
    assertThat(x.at(1000)).isCloseTo(744, within(1e-9));
    assertThat(x.at(1) - x.at(0.1)).isCloseTo(170, within(1e-9));
    assertThat(x.at(100) - x.at(10)).isCloseTo(170, within(1e-9));
  }

  @Test
  void aLogScaleRefusesZero() {
    assertThatThrownBy(() -> Svg.log(0, 10, 0, 100))
        .hasMessage("log domain: 0.0 to 10.0 (expected: 0 < from < to)");
  }

  @Test
  void stepsAreOneTwoOrFiveTimesAPowerOfTen() {
    assertThat(Svg.step(150, 5)).isEqualTo(50);
    assertThat(Svg.step(40, 8)).isEqualTo(5);
    assertThat(Svg.step(0.3, 5)).isCloseTo(0.1, within(1e-12));
    assertThat(Svg.step(7, 5)).isEqualTo(2);
  }

  @Test
  void theTopOfAnAxisIsRoundedUpToAStepSoThatItIsLabelled() {
    assertThat(Svg.niceMax(112, 5)).isEqualTo(150);
    assertThat(Svg.niceMax(100, 5)).isEqualTo(100);
    assertThat(Svg.niceMax(0, 5)).isEqualTo(1);
    assertThat(Svg.ticks(150, 5)).containsExactly(0.0, 50.0, 100.0, 150.0);
  }

  @Test
  void logTicksAreOneTwoAndFiveInEveryDecade() {
    assertThat(Svg.logTicks(0.2, 10)).containsExactly(0.2, 0.5, 1.0, 2.0, 5.0, 10.0);
  }

  @Test
  void labelsDropTrailingZeros() {
    assertThat(Svg.label(0.5)).isEqualTo("0.5");
    assertThat(Svg.label(20)).isEqualTo("20");
    assertThat(Svg.label(1.25)).isEqualTo("1.25");
  }
}

package org.enjambre.worker.exec;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SaboteurTest {
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Property
    void rateZero_neverChangesTheOutput(@ForAll byte[] output, @ForAll String taskId, @ForAll boolean colluding) {
        assertThat(new Saboteur(0, colluding, new Random()).apply(taskId, output)).isSameAs(output);
    }

    @Test
    void colluding_replicasOfOneUnit_reportTheSameWrongJson() {
        Saboteur a = new Saboteur(1, true, new Random(1));
        Saboteur b = new Saboteur(1, true, new Random(2));
        byte[] honest = utf8("{\"count\":664579}");
        byte[] fromA = a.apply("j-4k2m9q/3/0", honest);
        byte[] fromB = b.apply("j-4k2m9q/3/1", honest);
        assertThat(text(fromA)).isEqualTo("{\"count\":664580}");
        assertThat(fromB).isEqualTo(fromA);
    }

    @Test
    void colluding_binaryOutput_flipsTheSameByte() {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13};
        byte[] fromA = new Saboteur(1, true, new Random(1)).apply("j/9/0", png);
        byte[] fromB = new Saboteur(1, true, new Random(2)).apply("j/9/2", png);
        assertThat(fromB).isEqualTo(fromA);
        assertThat(IntStream.range(0, png.length).filter(i -> png[i] != fromA[i]).count()).isEqualTo(1);
    }

    @Test
    void colluding_decidesPerUnit_atAboutTheRate() {
        Saboteur a = new Saboteur(0.5, true, new Random(1));
        Saboteur b = new Saboteur(0.5, true, new Random(2));
        long chosen = IntStream.range(0, 1000).filter(unit -> {
            boolean choice = a.chooses("j/" + unit + "/0");
            assertThat(b.chooses("j/" + unit + "/1")).isEqualTo(choice);
            return choice;
        }).count();
        assertThat(chosen).isBetween(400L, 600L);
    }

    @Test
    void notColluding_changesTheFirstNumberOnlyAndKeepsTheRest() {
        Saboteur saboteur = new Saboteur(1, false, new Random(7));
        byte[] honest = utf8("{\"label\":\"12\",\"maxSteps\":350,\"argmax\":77031}");
        String wrong = text(saboteur.apply("j/1/0", honest));
        assertThat(wrong).startsWith("{\"label\":\"12\",\"maxSteps\":").endsWith(",\"argmax\":77031}")
                .isNotEqualTo(text(honest));
    }

    @Test
    void notColluding_twoSaboteursRarelyAgree() {
        byte[] honest = utf8("{\"count\":5}");
        byte[] a = new Saboteur(1, false, new Random(1)).apply("j/1/0", honest);
        byte[] b = new Saboteur(1, false, new Random(2)).apply("j/1/1", honest);
        assertThat(a).isNotEqualTo(honest).isNotEqualTo(b);
    }

    @Test
    void noopOutput_aBareNumber_isChangedByOne() {
        assertThat(text(new Saboteur(1, true, new Random()).apply("j/3/0", utf8("3")))).isEqualTo("4");
    }

    @Test
    void jsonWithoutNumbers_andEmptyOutput_getABitFlipped() {
        Saboteur saboteur = new Saboteur(1, true, new Random());
        byte[] honest = utf8("{\"a\":\"b\"}");
        byte[] wrong = saboteur.apply("j/1/0", honest);
        assertThat(wrong).hasSameSizeAs(honest).isNotEqualTo(honest);
        assertThat(saboteur.apply("j/1/0", new byte[0])).containsExactly(1);
    }

    @Test
    void badRate_isRefused() {
        assertThatThrownBy(() -> new Saboteur(1.5, false, new Random()))
                .hasMessage("sabotage rate must be between 0 and 1, got 1.5");
    }
}

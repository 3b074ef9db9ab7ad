package org.enjambre.worker.store;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileNamesTest {

    @Test
    void escape_taskId_keepsSafeCharactersAndEscapesSlashes() {
        assertThat(FileNames.escape("j-4k2m9q/3/1")).isEqualTo("j-4k2m9q%2F3%2F1");
    }

    @Test
    void escape_upperCaseAndDots_areEscapedSoNamesDifferOnCaseInsensitiveDisks() {
        assertThat(FileNames.escape("A")).isEqualTo("%41");
        assertThat(FileNames.escape("..")).isEqualTo("%2E%2E");
    }

    @Test
    void escape_longId_isCutAndHashed() {
        String stem = FileNames.escape("j".repeat(1000));
        assertThat(stem).hasSize(FileNames.MAX_STEM).contains("~");
    }

    @Test
    void escape_empty_isRefused() {
        assertThatThrownBy(() -> FileNames.escape("")).hasMessage("a task id must not be empty");
    }

    @Property
    void escape_isInjectiveAndSafe(@ForAll @StringLength(min = 1, max = 300) String a,
                                   @ForAll @StringLength(min = 1, max = 300) String b) {
        String ea = FileNames.escape(a);
        assertThat(ea).matches("[a-z0-9%_~A-F-]+").hasSizeLessThanOrEqualTo(FileNames.MAX_STEM);
        if (!a.equals(b)) {
            assertThat(ea).isNotEqualTo(FileNames.escape(b));
        }
    }
}

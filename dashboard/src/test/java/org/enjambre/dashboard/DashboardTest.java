package org.enjambre.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class DashboardTest {

    @Test
    void assets_areAllOnTheClasspathUnderTheResourceRoot() throws IOException {
        for (String asset : Dashboard.assets()) {
            try (InputStream in = getClass().getClassLoader()
                    .getResourceAsStream(Dashboard.RESOURCE_ROOT + "/" + asset)) {
                assertThat(in).as(asset).isNotNull();
                assertThat(in.readAllBytes()).as(asset).isNotEmpty();
            }
        }
    }

    @Test
    void assets_listEveryFileOfTheResourceDirectoryAndNothingElse() throws IOException, URISyntaxException {
        URL index = getClass().getClassLoader().getResource(Dashboard.RESOURCE_ROOT + "/" + Dashboard.INDEX);
        assertThat(index).isNotNull();
        assertThat(index.getProtocol()).as("tests run from target/classes").isEqualTo("file");
        Path root = Path.of(index.toURI()).getParent();
        List<String> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(Files::isRegularFile)
                    .map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .toList();
        }
        assertThat(Dashboard.assets()).containsExactlyInAnyOrderElementsOf(files);
    }

    @Test
    void assets_containTheIndexPageAndNoDuplicates() {
        assertThat(Dashboard.assets()).contains(Dashboard.INDEX, "app.js", "style.css", "favicon.svg")
                .doesNotHaveDuplicates();
        assertThatThrownBy(() -> Dashboard.assets().add("x.js")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void resourcePath_ofAnAsset_isUnderTheRoot() {
        assertThat(Dashboard.resourcePath("views/jobs.js")).isEqualTo("enjambre-dashboard/views/jobs.js");
    }

    @Test
    void resourcePath_unknownAsset_namesIt() {
        assertThatThrownBy(() -> Dashboard.resourcePath("../secret.txt"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'../secret.txt' is not a dashboard asset");
    }

    @Test
    void contentType_byExtension() {
        assertThat(Dashboard.contentType("index.html")).isEqualTo("text/html; charset=utf-8");
        assertThat(Dashboard.contentType("views/jobs.js")).isEqualTo("text/javascript; charset=utf-8");
        assertThat(Dashboard.contentType("style.css")).isEqualTo("text/css; charset=utf-8");
        assertThat(Dashboard.contentType("favicon.svg")).isEqualTo("image/svg+xml");
        assertThat(Dashboard.contentType("RESULT.PNG")).isEqualTo("image/png");
    }

    @Test
    void contentType_ofEveryAsset_isKnown() {
        for (String asset : Dashboard.assets()) {
            assertThat(Dashboard.contentType(asset)).as(asset).isNotBlank();
        }
    }

    @Test
    void contentType_unknownExtension_saysWhatIsExpected() {
        assertThatThrownBy(() -> Dashboard.contentType("archive.tar"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no content type known for 'archive.tar'");
        assertThatThrownBy(() -> Dashboard.contentType("README"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void contentSecurityPolicy_allowsOnlyTheSameOriginAndObjectUrls() {
        assertThat(Dashboard.CONTENT_SECURITY_POLICY)
                .contains("default-src 'self'", "img-src 'self' blob:", "connect-src 'self'")
                .doesNotContain("unsafe-inline", "unsafe-eval", "http:", "https:");
    }
}

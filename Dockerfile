# syntax=docker/dockerfile:1
# One image for both roles: `docker run enjambre coordinator ...` or `docker run enjambre worker ...`.

# ---- build: the whole reactor with Maven, tests skipped (CI runs them)
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
COPY workunits/pom.xml workunits/
COPY dashboard/pom.xml dashboard/
COPY coordinator/pom.xml coordinator/
COPY worker/pom.xml worker/
COPY client/pom.xml client/
COPY cli/pom.xml cli/
COPY bench/pom.xml bench/
COPY ops/pom.xml ops/
RUN mvn -B -q dependency:go-offline -DexcludeReactor=true || true
COPY . .
RUN mvn -B -DskipTests package && cp cli/target/enjambre.jar /enjambre.jar

# ---- run: a JRE, the distribution jar, a non-root user, the data directory on a volume
FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 enjambre \
 && useradd --system --uid 10001 --gid enjambre --home-dir /var/lib/enjambre --create-home enjambre
COPY --from=build /enjambre.jar /opt/enjambre/enjambre.jar
COPY packaging/docker-entrypoint.sh packaging/healthcheck.sh /opt/enjambre/
USER enjambre
WORKDIR /var/lib/enjambre
VOLUME /var/lib/enjambre
ENV JAVA_OPTS="-XX:MaxRAMPercentage=75" ENJAMBRE_PORT=8080
EXPOSE 8080 5701
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["/opt/enjambre/healthcheck.sh"]
ENTRYPOINT ["/opt/enjambre/docker-entrypoint.sh"]
CMD ["--help"]

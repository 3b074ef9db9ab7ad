# syntax=docker/dockerfile:1
# Build stage: the whole reactor, tests skipped (CI runs them).
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
COPY workunits/pom.xml workunits/
COPY dashboard/pom.xml dashboard/
COPY coordinator/pom.xml coordinator/
COPY worker/pom.xml worker/
COPY cli/pom.xml cli/
RUN mvn -B -q dependency:go-offline -DexcludeReactor=true || true
COPY . .
RUN mvn -B -DskipTests package

# Run stage: a JRE and the distribution jar, as a non-root user.
FROM eclipse-temurin:17-jre
RUN useradd --system --create-home --home-dir /var/lib/enjambre --uid 10001 enjambre
WORKDIR /opt/enjambre
COPY --from=build /src/cli/target/enjambre.jar /opt/enjambre/enjambre.jar
USER enjambre
VOLUME /var/lib/enjambre
ENTRYPOINT ["java", "-jar", "/opt/enjambre/enjambre.jar"]

# smsgw image: `docker build -t smsgw .`, then `docker run smsgw gateway|worker|all` with SMSGW_* variables.

# --- build: the thin jar plus its runtime dependencies ---
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# Dependencies first, in their own layer: source edits do not download them again.
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src/main src/main
COPY openapi openapi
COPY conf conf
# Production's lib (target/image-lib): without the embedded PostgreSQL binaries (four platforms) and the embedded
# Redis, which only dev, tests and the benchmark start (~90 MB). The JVM ignores the jar's Class-Path entries
# that are missing; dev and bench say so and exit.
RUN mvn -B -q package -DskipTests \
 && mvn -B -q dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=target/image-lib \
      -DexcludeGroupIds=io.zonky.test,io.zonky.test.postgres,com.github.codemonstur

# --- runtime ---
FROM eclipse-temurin:17-jre
WORKDIR /app
RUN useradd --system --no-create-home --shell /usr/sbin/nologin smsgw
# The jar's manifest puts lib/*.jar on the class path, relative to the jar.
COPY --from=build /src/target/image-lib/ /app/lib/
COPY --from=build /src/target/smsgw.jar /app/smsgw.jar
# Read from the working directory: conf/smsgw.json (SMSGW_CONF) and openapi/openapi.yaml.
COPY conf/ /app/conf/
COPY openapi/ /app/openapi/
USER smsgw
EXPOSE 8081
ENTRYPOINT ["java", "-jar", "/app/smsgw.jar"]
CMD ["gateway"]

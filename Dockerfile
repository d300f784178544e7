# smsgw image: `docker build -t smsgw .`, then `docker run smsgw gateway|worker|all` with SMSGW_* variables.

# --- build: the service module alone (no dev kit, no benchmarks): its thin jar plus its runtime dependencies ---
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# The parent and the service's pom first, in their own layer: source edits do not download dependencies again.
# The parent lists every module, so Maven reads every module's pom; only the service is built (-pl service).
COPY pom.xml .
COPY service/pom.xml service/pom.xml
COPY devkit/pom.xml devkit/pom.xml
COPY bench/pom.xml bench/pom.xml
COPY tests/pom.xml tests/pom.xml
RUN mvn -B -q -pl service dependency:go-offline
COPY service/src/main service/src/main
COPY openapi openapi
COPY conf conf
RUN mvn -B -q -pl service package -DskipTests

# --- runtime ---
FROM eclipse-temurin:17-jre
WORKDIR /app
RUN useradd --system --no-create-home --shell /usr/sbin/nologin smsgw
# The jar's manifest puts lib/*.jar on the class path, relative to the jar.
COPY --from=build /src/service/target/lib/ /app/lib/
COPY --from=build /src/service/target/smsgw-service.jar /app/smsgw.jar
# Read from the working directory: conf/smsgw.json (SMSGW_CONF) and openapi/openapi.yaml.
COPY conf/ /app/conf/
COPY openapi/ /app/openapi/
USER smsgw
EXPOSE 8081
ENTRYPOINT ["java", "-jar", "/app/smsgw.jar"]
CMD ["gateway"]

# The image of the bridge (io.citybrain.connectors.bridge.BridgeMain): a JRE and the connectors
# module with its runtime dependencies in /opt/citybrain/lib. Build from the repository root after
#   ./mvnw -B package -pl connectors -am -DskipTests
#   ./mvnw -B dependency:copy-dependencies -pl connectors -DincludeScope=runtime -DoutputDirectory=target/lib
#   docker build -f deploy/kubernetes/images/citybrain.Dockerfile -t citybrain/citybrain:0.1.0 .
# (Not built or run in CI: there is no container engine on the build machines.)
FROM eclipse-temurin:17-jre
COPY connectors/target/lib/ /opt/citybrain/lib/
COPY connectors/target/citybrain-connectors-*.jar /opt/citybrain/lib/
USER 65532

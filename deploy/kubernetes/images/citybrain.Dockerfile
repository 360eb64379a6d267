# The image of the bridge (io.citybrain.connectors.bridge.BridgeMain), alert dispatch
# (io.citybrain.connectors.dispatch.DispatchMain) and the live console (io.citybrain.console.ConsoleMain):
# a JRE and the console module with its runtime dependencies (connectors among them) in
# /opt/citybrain/lib. Build from the repository root after
#   ./mvnw -B package -pl console -am -DskipTests
#   ./mvnw -B dependency:copy-dependencies -pl console -DincludeScope=runtime -DoutputDirectory=target/lib
#   docker build -f deploy/kubernetes/images/citybrain.Dockerfile -t citybrain/citybrain:0.1.0 .
# (Not built or run in CI: there is no container engine on the build machines.)
FROM eclipse-temurin:17-jre
COPY console/target/lib/ /opt/citybrain/lib/
COPY console/target/citybrain-console-*.jar /opt/citybrain/lib/
USER 65532

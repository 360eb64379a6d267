# The image of the FlinkDeployments: Flink itself plus the job jar in usrlib (application mode).
# Build from the repository root after `./mvnw -B package -pl jobs-dist -am -DskipTests`:
#   docker build -f deploy/kubernetes/images/flink-jobs.Dockerfile -t citybrain/flink-jobs:0.1.0 .
# (Not built or run in CI: there is no container engine on the build machines.)
FROM flink:2.2.1-java17
COPY jobs-dist/target/citybrain-jobs.jar /opt/flink/usrlib/citybrain-jobs.jar

//! Deployment files for servers with streamable HTTP: a Compose file (the server's replicas behind nginx, with
//! Redis when the spec keeps sessions there), nginx's server block, and Kubernetes manifests (Deployment with
//! liveness and readiness probes, Service, PodDisruptionBudget, and, when instances can share the load, a
//! HorizontalPodAutoscaler; the Redis URL from a Secret). The YAML files are data, serialised with serde_yaml
//! from values built here; nginx's format has no serialiser, so its file is a template
//! (`templates/crate/deploy/nginx.conf.tera`). All of them are the user's after creation, like the Dockerfile.

use serde_json::{Value, json};

use crate::spec::model::{Spec, StreamableHttpTransport};

/// Replicas when any instance can serve any request (stateless, or sessions in Redis).
const REPLICAS: u32 = 3;
/// The HorizontalPodAutoscaler's ceiling.
const MAX_REPLICAS: u32 = 10;
/// The Compose service names, which are also the host names nginx and the server reach each other by.
pub const APP_SERVICE: &str = "app";
const REDIS_SERVICE: &str = "redis";
/// The Secret key holding the Redis URL.
const SECRET_KEY: &str = "url";

/// What the deployment files need from the spec.
pub struct Deploy<'s> {
    pub name: &'s str,
    /// The variables' prefix (`WEATHER` for `weather`).
    pub env_prefix: &'s str,
    pub http: &'s StreamableHttpTransport,
}

impl<'s> Deploy<'s> {
    /// `None` without streamable HTTP: legacy SSE sessions live in one process, so there is nothing to scale.
    pub fn of(spec: &'s Spec, env_prefix: &'s str) -> Option<Self> {
        Some(Deploy {
            name: &spec.server.name,
            env_prefix,
            http: spec.transports.streamable_http.as_ref()?,
        })
    }

    fn redis_url_env(&self) -> Option<&str> {
        self.http
            .session_store
            .as_ref()
            .map(|store| store.redis_url_env.as_str())
    }

    /// Whether requests can go to any instance: stateless, or stateful with sessions in Redis. Otherwise
    /// sessions live in the process that started them, and one replica serves.
    pub fn scales_out(&self) -> bool {
        !self.http.stateful || self.redis_url_env().is_some()
    }

    /// How long nginx keeps an idle connection to a replica: half the server's idle timeout, so nginx always
    /// drops a kept-alive connection before the server closes it. The other way round, nginx may send a POST
    /// on a connection the server is closing, and answers it 502 without retrying (a POST is never resent).
    pub fn upstream_keepalive_ms(&self) -> u64 {
        self.http.idle_timeout * 1000 / 2
    }

    fn replicas(&self) -> u32 {
        if self.scales_out() { REPLICAS } else { 1 }
    }

    fn labels(&self) -> Value {
        json!({"app.kubernetes.io/name": self.name})
    }

    fn secret_name(&self) -> String {
        format!("{}-redis", self.name)
    }

    /// `deploy/compose.yaml`.
    pub fn compose(&self) -> String {
        let port = self.http.port;
        let mut app = json!({
            "build": {"context": ".."},
            "image": format!("{}:latest", self.name),
            "deploy": {"replicas": self.replicas()},
            "restart": "unless-stopped",
        });
        let mut services = serde_json::Map::new();
        if let Some(var) = self.redis_url_env() {
            app["environment"] = json!({var: format!("redis://{REDIS_SERVICE}:6379")});
            app["depends_on"] = json!({REDIS_SERVICE: {"condition": "service_healthy"}});
        }
        services.insert(APP_SERVICE.into(), app);
        if self.redis_url_env().is_some() {
            services.insert(
                REDIS_SERVICE.into(),
                json!({
                    "image": "redis:7-alpine",
                    // Session records expire with their sessions: nothing worth saving to disk.
                    "command": ["redis-server", "--save", ""],
                    "healthcheck": {
                        "test": ["CMD", "redis-cli", "ping"],
                        "interval": "5s",
                        "timeout": "3s",
                        "retries": 5,
                    },
                    "restart": "unless-stopped",
                }),
            );
        }
        services.insert(
            "nginx".into(),
            json!({
                "image": "nginx:1-alpine",
                // The long syntax: no YAML 1.1 reader takes it for a number.
                "ports": [{"target": port, "published": port.to_string()}],
                "volumes": ["./nginx.conf:/etc/nginx/conf.d/default.conf:ro"],
                "depends_on": [APP_SERVICE],
                "restart": "unless-stopped",
            }),
        );
        let header = format!(
            "# {name} behind nginx on port {port}, generated once by mcpgen; yours to edit.\n\
             #   docker compose -f deploy/compose.yaml up --build\n\
             # {sessions}\n",
            name = self.name,
            sessions = if self.redis_url_env().is_some() {
                "Sessions live in Redis, so nginx sends each request to any replica."
            } else if self.scales_out() {
                "Stateless: nginx sends each request to any replica."
            } else {
                "Stateful sessions live in the process that started them: one replica (set the spec's \
                 sessionStore to run more)."
            },
        );
        header + &yaml(&json!({"name": self.name, "services": services}))
    }

    /// The files under `deploy/k8s/`, by name.
    pub fn kubernetes(&self) -> Vec<(&'static str, String)> {
        let file = |what: &str, notes: &[String], value: Value| {
            let mut text = format!(
                "# {what} for {}, generated once by mcpgen; yours to edit.\n",
                self.name
            );
            for note in notes {
                text += &format!("# {note}\n");
            }
            text + &yaml(&value)
        };
        let mut files = vec![
            (
                "deployment.yaml",
                file(
                    "Deployment",
                    &[
                        format!(
                            "The image is {}:latest: push it where the cluster pulls from and name it here.",
                            self.name
                        ),
                        format!(
                            "Add the host name clients use to {}_ALLOWED_HOSTS (an Ingress's, for one).",
                            self.env_prefix
                        ),
                    ],
                    self.deployment(),
                ),
            ),
            ("service.yaml", file("Service", &[], self.service())),
            (
                "pdb.yaml",
                file(
                    "PodDisruptionBudget",
                    &["Node drains take one pod down at a time.".into()],
                    self.disruption_budget(),
                ),
            ),
        ];
        if self.scales_out() {
            files.push((
                "hpa.yaml",
                file(
                    "HorizontalPodAutoscaler",
                    &["Scales on CPU, which needs the cluster's metrics server.".into()],
                    self.autoscaler(),
                ),
            ));
        }
        if self.redis_url_env().is_some() {
            files.push((
                "secret.yaml",
                file(
                    "Secret with the Redis URL",
                    &[
                        "The URL is a placeholder: put your Redis here, or leave this file out and create".into(),
                        format!(
                            "the Secret yourself: kubectl create secret generic {} --from-literal={SECRET_KEY}=rediss://...",
                            self.secret_name()
                        ),
                    ],
                    self.secret(),
                ),
            ));
        }
        files
    }

    fn deployment(&self) -> Value {
        let mut env = vec![json!({
            "name": format!("{}_ALLOWED_HOSTS", self.env_prefix),
            // The Service's name: the Host that clients inside the cluster send.
            "value": self.name,
        })];
        if let Some(var) = self.redis_url_env() {
            env.push(json!({
                "name": var,
                "valueFrom": {"secretKeyRef": {"name": self.secret_name(), "key": SECRET_KEY}},
            }));
        }
        let probe = |path: &str, period: u32| {
            json!({
                "httpGet": {"path": path, "port": "http"},
                "periodSeconds": period,
                "timeoutSeconds": 3,
                "failureThreshold": 3,
            })
        };
        let mut ports = vec![json!({"name": "http", "containerPort": self.http.port})];
        let mut pod = json!({"labels": self.labels()});
        if let Some(metrics) = &self.http.metrics {
            if let Some(port) = metrics.port {
                ports.push(json!({"name": "metrics", "containerPort": port}));
            }
            // The annotations Prometheus's common Kubernetes scrape configuration looks for.
            pod["annotations"] = json!({
                "prometheus.io/scrape": "true",
                "prometheus.io/port": metrics.port.unwrap_or(self.http.port).to_string(),
                "prometheus.io/path": "/metrics",
            });
        }
        json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": self.name, "labels": self.labels()},
            "spec": {
                "replicas": self.replicas(),
                "selector": {"matchLabels": self.labels()},
                "template": {
                    "metadata": pod,
                    "spec": {
                        // Above the server's 10 s drain after SIGTERM.
                        "terminationGracePeriodSeconds": 30,
                        "securityContext": {"runAsNonRoot": true, "runAsUser": 65532},
                        "containers": [{
                            "name": "server",
                            "image": format!("{}:latest", self.name),
                            "ports": ports,
                            "env": env,
                            // Liveness: the process serves; readiness: it can serve requests, which
                            // needs Redis when sessions live there (a Redis outage takes the pods out of
                            // the Service without restarting them).
                            "livenessProbe": probe("/healthz", 10),
                            "readinessProbe": probe("/readyz", 5),
                            "resources": {
                                "requests": {"cpu": "100m", "memory": "64Mi"},
                                "limits": {"memory": "512Mi"},
                            },
                            "securityContext": {
                                "allowPrivilegeEscalation": false,
                                "readOnlyRootFilesystem": true,
                                "capabilities": {"drop": ["ALL"]},
                            },
                        }],
                    },
                },
            },
        })
    }

    /// A Kubernetes object named after the server, with its labels.
    fn object(&self, api_version: &str, kind: &str, spec: Value) -> Value {
        json!({
            "apiVersion": api_version,
            "kind": kind,
            "metadata": {"name": self.name, "labels": self.labels()},
            "spec": spec,
        })
    }

    fn service(&self) -> Value {
        let spec = json!({
            "selector": self.labels(),
            "ports": [{"name": "http", "port": self.http.port, "targetPort": "http"}],
        });
        self.object("v1", "Service", spec)
    }

    fn disruption_budget(&self) -> Value {
        let spec = json!({"maxUnavailable": 1, "selector": {"matchLabels": self.labels()}});
        self.object("policy/v1", "PodDisruptionBudget", spec)
    }

    fn autoscaler(&self) -> Value {
        let spec = json!({
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": self.name},
            "minReplicas": REPLICAS,
            "maxReplicas": MAX_REPLICAS,
            "metrics": [{
                "type": "Resource",
                "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}},
            }],
        });
        self.object("autoscaling/v2", "HorizontalPodAutoscaler", spec)
    }

    fn secret(&self) -> Value {
        json!({
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": self.secret_name(), "labels": self.labels()},
            "type": "Opaque",
            "stringData": {SECRET_KEY: format!("redis://{REDIS_SERVICE}:6379")},
        })
    }
}

fn yaml(value: &Value) -> String {
    serde_yaml::to_string(value).expect("JSON values serialise as YAML")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(transport: &str) -> Spec {
        let yaml = format!(
            "mcpgen: 1\nserver: {{name: weather}}\ntransports:\n  streamable-http: {transport}\n"
        );
        crate::pipeline::load_spec_str(std::path::Path::new("w.yaml"), &yaml)
            .unwrap()
            .spec
    }

    fn parse(text: &str) -> Value {
        serde_yaml::from_str(text).unwrap()
    }

    #[test]
    fn compose_runs_three_replicas_behind_nginx_with_redis_for_a_session_store() {
        let spec = spec("{port: 8101, sessionStore: {redisUrlEnv: WEATHER_REDIS}}");
        let deploy = Deploy::of(&spec, "WEATHER").unwrap();
        let compose = parse(&deploy.compose());
        let services = &compose["services"];
        assert_eq!(services["app"]["deploy"]["replicas"], 3);
        assert_eq!(
            services["app"]["environment"]["WEATHER_REDIS"],
            "redis://redis:6379"
        );
        assert_eq!(services["nginx"]["ports"][0]["published"], "8101");
        assert!(services["redis"]["image"].is_string());
        let files = deploy.kubernetes();
        let names: Vec<_> = files.iter().map(|f| f.0).collect();
        assert_eq!(
            names,
            [
                "deployment.yaml",
                "service.yaml",
                "pdb.yaml",
                "hpa.yaml",
                "secret.yaml"
            ]
        );
        let deployment = parse(&files[0].1);
        let container = &deployment["spec"]["template"]["spec"]["containers"][0];
        assert_eq!(container["readinessProbe"]["httpGet"]["path"], "/readyz");
        assert_eq!(container["livenessProbe"]["httpGet"]["path"], "/healthz");
        assert_eq!(
            container["env"][1]["valueFrom"]["secretKeyRef"]["name"],
            "weather-redis"
        );
    }

    #[test]
    fn metrics_on_their_own_port_are_a_named_container_port_with_scrape_annotations() {
        let own_port = spec("{port: 8101, metrics: {port: 9464}}");
        let deployment = parse(&Deploy::of(&own_port, "WEATHER").unwrap().kubernetes()[0].1);
        let template = &deployment["spec"]["template"];
        assert_eq!(
            template["metadata"]["annotations"]["prometheus.io/port"],
            "9464"
        );
        assert_eq!(
            template["spec"]["containers"][0]["ports"][1],
            json!({"name": "metrics", "containerPort": 9464})
        );
        let off = spec("{port: 8101}");
        let deployment = parse(&Deploy::of(&off, "WEATHER").unwrap().kubernetes()[0].1);
        assert!(
            deployment["spec"]["template"]["metadata"]
                .get("annotations")
                .is_none()
        );
    }

    #[test]
    fn stateful_sessions_without_a_store_run_one_replica() {
        let spec = spec("{stateful: true}");
        let deploy = Deploy::of(&spec, "WEATHER").unwrap();
        let compose = parse(&deploy.compose());
        assert_eq!(compose["services"]["app"]["deploy"]["replicas"], 1);
        assert!(compose["services"].get("redis").is_none());
        let names: Vec<_> = deploy.kubernetes().iter().map(|f| f.0).collect();
        assert_eq!(names, ["deployment.yaml", "service.yaml", "pdb.yaml"]);

        let stateless = super::tests::spec("{stateful: false}");
        let deploy = Deploy::of(&stateless, "WEATHER").unwrap();
        assert_eq!(
            parse(&deploy.compose())["services"]["app"]["deploy"]["replicas"],
            3
        );
    }
}

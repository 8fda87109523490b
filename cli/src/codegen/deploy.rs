//! Deployment files for servers with streamable HTTP: a Compose file (the server's replicas behind nginx, with
//! Redis when the spec keeps sessions there), nginx's server block, and Kubernetes manifests (Deployment with
//! liveness and readiness probes, Service, PodDisruptionBudget, and, when instances can share the load, a
//! HorizontalPodAutoscaler; the Redis URL from a Secret). Replicas that share the load also share the key that seals
//! a 2026-07-28 call's `requestState`, so a retry may reach any of them: Compose refuses to start without it and
//! Kubernetes reads it from a Secret the user creates (mcpgen never writes a key into a file). The YAML files are data, serialised with serde_yaml
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
/// The Secret key holding the request-state key.
const REQUEST_STATE_SECRET_KEY: &str = "key";

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

    /// The variable every replica reads the request-state key from (`--request-state-key`), when replicas
    /// share the load: one instance's per-process key would refuse a retry that reaches another.
    fn request_state_env(&self) -> Option<String> {
        self.scales_out()
            .then(|| format!("{}_REQUEST_STATE_KEY", self.env_prefix))
    }

    fn request_state_secret_name(&self) -> String {
        format!("{}-request-state", self.name)
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
        let mut environment = serde_json::Map::new();
        if let Some(var) = self.redis_url_env() {
            environment.insert(var.into(), json!(format!("redis://{REDIS_SERVICE}:6379")));
            app["depends_on"] = json!({REDIS_SERVICE: {"condition": "service_healthy"}});
        }
        if let Some(var) = self.request_state_env() {
            // `:?` stops `docker compose up` with this message while the variable is unset or empty.
            environment.insert(
                var.clone(),
                json!(format!(
                    "${{{var}:?set {var} to one random key of 32 or more bytes, shared by every replica}}"
                )),
            );
        }
        if !environment.is_empty() {
            app["environment"] = environment.into();
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
        let key = match self.request_state_env() {
            Some(var) => format!(
                "#   export {var}=$(openssl rand -base64 48)   # the key every replica shares\n"
            ),
            None => String::new(),
        };
        let header = format!(
            "# {name} behind nginx on port {port}, generated once by mcpgen; yours to edit.\n\
             {key}\
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
        let mut deployment_notes = vec![
            format!(
                "The image is {}:latest: push it where the cluster pulls from and name it here.",
                self.name
            ),
            format!(
                "Add the host name clients use to {}_ALLOWED_HOSTS (an Ingress's, for one).",
                self.env_prefix
            ),
        ];
        if self.request_state_env().is_some() {
            deployment_notes.push(
                "The replicas share one request-state key: create it once, before applying:".into(),
            );
            deployment_notes.push(format!(
                "  kubectl create secret generic {} --from-literal={REQUEST_STATE_SECRET_KEY}=\"$(openssl rand -base64 48)\"",
                self.request_state_secret_name()
            ));
        }
        let mut files = vec![
            (
                "deployment.yaml",
                file("Deployment", &deployment_notes, self.deployment()),
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
        if let Some(var) = self.request_state_env() {
            env.push(json!({
                "name": var,
                "valueFrom": {"secretKeyRef": {
                    "name": self.request_state_secret_name(),
                    "key": REQUEST_STATE_SECRET_KEY,
                }},
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
    fn replicas_that_share_the_load_share_the_request_state_key_and_none_is_written() {
        let key = "WEATHER_REQUEST_STATE_KEY";
        for transport in ["{stateful: false}", "{sessionStore: {redisUrlEnv: R}}"] {
            let spec = spec(transport);
            let deploy = Deploy::of(&spec, "WEATHER").unwrap();
            let text = deploy.compose();
            let compose = parse(&text);
            let value = compose["services"]["app"]["environment"][key]
                .as_str()
                .unwrap();
            assert!(
                value.starts_with("${WEATHER_REQUEST_STATE_KEY:?set "),
                "{value}"
            );
            assert!(
                text.contains("export WEATHER_REQUEST_STATE_KEY=$(openssl rand"),
                "{text}"
            );
            let files = deploy.kubernetes();
            let deployment = parse(&files[0].1);
            let env = &deployment["spec"]["template"]["spec"]["containers"][0]["env"];
            let from_secret = env
                .as_array()
                .unwrap()
                .iter()
                .find(|var| var["name"] == key)
                .unwrap();
            assert_eq!(
                from_secret["valueFrom"]["secretKeyRef"],
                json!({"name": "weather-request-state", "key": "key"})
            );
            assert!(
                files[0]
                    .1
                    .contains("kubectl create secret generic weather-request-state")
            );
            // The key is the user's to create: no manifest carries one.
            assert!(
                files
                    .iter()
                    .all(|(_, text)| parse(text)["metadata"]["name"] != "weather-request-state")
            );
        }
        let alone = spec("{stateful: true}");
        let deploy = Deploy::of(&alone, "WEATHER").unwrap();
        assert!(!deploy.compose().contains(key));
        assert!(
            deploy
                .kubernetes()
                .iter()
                .all(|(_, text)| !text.contains(key))
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

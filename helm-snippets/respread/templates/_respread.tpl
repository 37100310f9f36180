{{/*
respread chart snippets: switch respread on per Deployment.

Every template takes either the root context, and then reads `.Values.respread`:

    {{- include "respread.env" . | nindent 12 }}

or, for a chart with several Deployments, a dict naming the values block to read:

    {{- include "respread.env" (dict "context" $ "values" .Values.worker.respread "name" "worker") | nindent 12 }}

`name` (optional) goes into the Role's name and into error messages, so that two Deployments of
one release get two Roles.

Templates:
  respread.env                            the container's `env:` items
  respread.rbac                           Role + RoleBinding when a load view reads the API (else nothing)
  respread.terminationGracePeriodSeconds  shutdownDelay + maxConnectionAgeGrace + a margin, in s
  respread.validate                       fails on a bad value (the three above call it)

Each value maps to one variable and is rendered only when set (not null, not ""), so the
library's own defaults apply to everything else.
*/}}

{{/* value key -> variable, in the order of the tables in the README and docs/load-views.md. */}}
{{- define "respread.variables" -}}
enabled: RESPREAD_ENABLED
maxConnectionAge: RESPREAD_MAX_CONNECTION_AGE
maxConnectionAgeGrace: RESPREAD_MAX_CONNECTION_AGE_GRACE
jitter: RESPREAD_JITTER
maxRequestsPerConnection: RESPREAD_MAX_REQUESTS_PER_CONNECTION
loadSource: RESPREAD_LOAD_SOURCE
loadThreshold: RESPREAD_LOAD_THRESHOLD
loadMinDifference: RESPREAD_LOAD_MIN_DIFFERENCE
loadGain: RESPREAD_LOAD_GAIN
loadInterval: RESPREAD_LOAD_INTERVAL
loadMaxStaleness: RESPREAD_LOAD_MAX_STALENESS
coldMaxConnectionAge: RESPREAD_COLD_MAX_CONNECTION_AGE
maxDrainsPerSecond: RESPREAD_MAX_DRAINS_PER_SECOND
maxDrainingFraction: RESPREAD_MAX_DRAINING_FRACTION
shutdownDelay: RESPREAD_SHUTDOWN_DELAY
goawayPingTimeout: RESPREAD_GOAWAY_PING_TIMEOUT
serviceName: RESPREAD_SERVICE_NAME
podSelector: RESPREAD_POD_SELECTOR
membersSource: RESPREAD_MEMBERS_SOURCE
kubernetesMetricsInterval: RESPREAD_KUBERNETES_METRICS_INTERVAL
kubernetesTimeout: RESPREAD_KUBERNETES_TIMEOUT
prometheusUrl: RESPREAD_PROMETHEUS_URL
prometheusMetric: RESPREAD_PROMETHEUS_METRIC
prometheusOwnQuery: RESPREAD_PROMETHEUS_OWN_QUERY
prometheusMeanQuery: RESPREAD_PROMETHEUS_MEAN_QUERY
prometheusMembersQuery: RESPREAD_PROMETHEUS_MEMBERS_QUERY
prometheusWindow: RESPREAD_PROMETHEUS_WINDOW
prometheusInterval: RESPREAD_PROMETHEUS_INTERVAL
prometheusTimeout: RESPREAD_PROMETHEUS_TIMEOUT
prometheusBearerTokenFile: RESPREAD_PROMETHEUS_BEARER_TOKEN_FILE
{{- end -}}

{{/* The keys that are durations, checked before the pod ever starts. */}}
{{- define "respread.durationKeys" -}}
maxConnectionAge maxConnectionAgeGrace loadInterval loadMaxStaleness coldMaxConnectionAge shutdownDelay goawayPingTimeout kubernetesMetricsInterval kubernetesTimeout prometheusWindow prometheusInterval prometheusTimeout
{{- end -}}

{{/* Keys of the values block that are the chart's own, not variables. */}}
{{- define "respread.chartKeys" -}}
rbac terminationGraceMarginSeconds
{{- end -}}

{{/*
A value as the text of its variable. Helm reads numbers in values files as float64, which print
as 1e+06: whole numbers are printed as integers.
*/}}
{{- define "respread.text" -}}
{{- $v := . -}}
{{- if and (kindIs "float64" $v) (eq $v (floor $v)) -}}
{{- int64 $v -}}
{{- else -}}
{{- toString $v -}}
{{- end -}}
{{- end -}}

{{/* The arguments of every template, as {root, values, name, path}. Used with `fromYaml`-free
     mutation: call with (dict "in" . "out" $args). */}}
{{- define "respread.args" -}}
{{- $in := .in -}}
{{- $out := .out -}}
{{- if and (kindIs "map" $in) (hasKey $in "context") -}}
{{- $_ := set $out "root" $in.context -}}
{{- $_ := set $out "values" (default (dict) $in.values) -}}
{{- $_ := set $out "name" (default "" $in.name) -}}
{{- $_ := set $out "path" (ternary (printf "%s.respread" $in.name) "respread" (not (empty $in.name))) -}}
{{- else -}}
{{- $_ := set $out "root" $in -}}
{{- $_ := set $out "values" (default (dict) $in.Values.respread) -}}
{{- $_ := set $out "name" "" -}}
{{- $_ := set $out "path" "respread" -}}
{{- end -}}
{{- end -}}

{{/* Whether a value counts as set: not null and not "". false and 0 are set. */}}
{{- define "respread.isSet" -}}
{{- if and (not (kindIs "invalid" .)) (ne (toString .) "") -}}true{{- end -}}
{{- end -}}

{{- define "respread.validate" -}}
{{- $a := dict -}}
{{- include "respread.args" (dict "in" . "out" $a) -}}
{{- $v := $a.values -}}
{{- $p := $a.path -}}
{{- if not (kindIs "map" $v) -}}
{{- fail (printf "%s: %s (expected: a map of settings)" $p (toString $v)) -}}
{{- end -}}
{{- $vars := include "respread.variables" . | fromYaml -}}
{{- $chartKeys := splitList " " (include "respread.chartKeys" .) -}}
{{- range $k, $_ := $v -}}
{{- if and (not (hasKey $vars $k)) (not (has $k $chartKeys)) (ne $k "global") -}}
{{- fail (printf "%s.%s: unknown setting (expected one of: %s)" $p $k (join ", " (concat (keys $vars | sortAlpha) $chartKeys))) -}}
{{- end -}}
{{- end -}}
{{- if include "respread.isSet" $v.enabled -}}
{{- if not (has (lower (toString $v.enabled)) (list "true" "false")) -}}
{{- fail (printf "%s.enabled: %q (expected: true or false)" $p (toString $v.enabled)) -}}
{{- end -}}
{{- end -}}
{{- range $k := splitList " " (include "respread.durationKeys" .) -}}
{{- $d := index $v $k -}}
{{- if include "respread.isSet" $d -}}
{{- $s := include "respread.text" $d | trim -}}
{{- if not (or (regexMatch "^(?i)([0-9]+(ms|s|m|h|d))+$" $s) (regexMatch "^(?i)-?P" $s)) -}}
{{- fail (printf "%s.%s: %q (expected: a duration such as 500ms, 90s, 5m, 1h or PT5M)" $p $k (include "respread.text" $d)) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $source := "" -}}
{{- if include "respread.isSet" $v.loadSource -}}
{{- $source = lower (toString $v.loadSource | trim) -}}
{{- if not (has $source (list "none" "kubernetes" "prometheus")) -}}
{{- fail (printf "%s.loadSource: %q (expected: none, kubernetes or prometheus)" $p (toString $v.loadSource)) -}}
{{- end -}}
{{- end -}}
{{- $members := "" -}}
{{- if include "respread.isSet" $v.membersSource -}}
{{- $members = lower (toString $v.membersSource | trim) -}}
{{- if not (has $members (list "auto" "kubernetes" "prometheus")) -}}
{{- fail (printf "%s.membersSource: %q (expected: auto, kubernetes or prometheus)" $p (toString $v.membersSource)) -}}
{{- end -}}
{{- end -}}
{{- if and (eq $source "kubernetes") (eq $members "prometheus") -}}
{{- fail (printf "%s.membersSource: %q (expected: auto or kubernetes when loadSource is kubernetes, which reads the members from the API; for members from Prometheus, loadSource prometheus)" $p (toString $v.membersSource)) -}}
{{- end -}}
{{- $needsService := "" -}}
{{- if eq $source "kubernetes" -}}
{{- $needsService = "loadSource is kubernetes" -}}
{{- else if and (eq $source "prometheus") (eq $members "kubernetes") -}}
{{- $needsService = "membersSource is kubernetes" -}}
{{- end -}}
{{- if and $needsService (not (include "respread.isSet" $v.serviceName)) (not (include "respread.isSet" $v.podSelector)) -}}
{{- fail (printf "%s.serviceName: \"\" (expected: the Service's name when %s, or podSelector with its pods' labels)" $p $needsService) -}}
{{- end -}}
{{- if and (eq $source "prometheus") (eq $members "kubernetes") (include "respread.isSet" $v.prometheusMembersQuery) -}}
{{- fail (printf "%s.prometheusMembersQuery: %q (expected: not set when membersSource is kubernetes, which reads the members from the API)" $p (toString $v.prometheusMembersQuery)) -}}
{{- end -}}
{{- if include "respread.isSet" $v.prometheusMetric -}}
{{- if not (has (lower (toString $v.prometheusMetric | trim)) (list "respread" "requests" "cpu" "container_cpu")) -}}
{{- fail (printf "%s.prometheusMetric: %q (expected: respread, requests, cpu or container_cpu)" $p (toString $v.prometheusMetric)) -}}
{{- end -}}
{{- end -}}
{{- if and (eq $source "prometheus") (not (include "respread.isSet" $v.prometheusUrl)) -}}
{{- fail (printf "%s.prometheusUrl: \"\" (expected: Prometheus' base URL, such as http://prometheus.monitoring:9090, when loadSource is prometheus)" $p) -}}
{{- end -}}
{{- $rbac := default (dict) $v.rbac -}}
{{- if not (kindIs "map" $rbac) -}}
{{- fail (printf "%s.rbac: %s (expected: a map with create and serviceAccountName)" $p (toString $v.rbac)) -}}
{{- end -}}
{{- if and (hasKey $rbac "create") (not (kindIs "invalid" $rbac.create)) (not (kindIs "bool" $rbac.create)) -}}
{{- fail (printf "%s.rbac.create: %q (expected: true or false)" $p (toString $rbac.create)) -}}
{{- end -}}
{{- range $k, $_ := $rbac -}}
{{- if not (has $k (list "create" "serviceAccountName")) -}}
{{- fail (printf "%s.rbac.%s: unknown setting (expected one of: create, serviceAccountName)" $p $k) -}}
{{- end -}}
{{- end -}}
{{- if include "respread.isSet" $v.terminationGraceMarginSeconds -}}
{{- if not (regexMatch "^[0-9]+$" (include "respread.text" $v.terminationGraceMarginSeconds)) -}}
{{- fail (printf "%s.terminationGraceMarginSeconds: %q (expected: a whole number of seconds >= 0)" $p (include "respread.text" $v.terminationGraceMarginSeconds)) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
The container's `env:` items: POD_NAME and POD_NAMESPACE from the downward API, then every
RESPREAD_* variable whose value is set, as a quoted string.
*/}}
{{- define "respread.env" -}}
{{- include "respread.validate" . -}}
{{- $a := dict -}}
{{- include "respread.args" (dict "in" . "out" $a) -}}
{{- $v := $a.values -}}
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: POD_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
{{- range $line := splitList "\n" (include "respread.variables" .) }}
{{- $kv := splitList ": " $line }}
{{- $value := index $v (first $kv) }}
{{- if include "respread.isSet" $value }}
- name: {{ last $kv }}
  value: {{ include "respread.text" $value | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{/* The Role's and RoleBinding's name: <release>[-<name>]-respread. */}}
{{- define "respread.rbacName" -}}
{{- $a := dict -}}
{{- include "respread.args" (dict "in" . "out" $a) -}}
{{- if $a.name -}}
{{- printf "%s-%s-respread" $a.root.Release.Name $a.name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-respread" $a.root.Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/*
Read-only, namespaced RBAC for the load views' API reads, exactly as docs/load-views.md lists them: for
the members EndpointSlices (list, watch) with serviceName or Pods (list, watch) with only
podSelector, and for loadSource kubernetes also metrics.k8s.io pods (list): what the view calls
and nothing else. loadSource prometheus reads the members from the API too, unless
membersSource is prometheus, or is auto (the default) with neither serviceName nor podSelector,
or with prometheusMembersQuery; then it calls no API and gets no Role. Bound to an existing
ServiceAccount (rbac.serviceAccountName, default "default"); none is created. Renders nothing
without a view that reads the API, or with rbac.create false.
*/}}
{{- define "respread.rbac" -}}
{{- include "respread.validate" . -}}
{{- $a := dict -}}
{{- include "respread.args" (dict "in" . "out" $a) -}}
{{- $v := $a.values -}}
{{- $root := $a.root -}}
{{- $rbac := default (dict) $v.rbac -}}
{{- $create := ternary true $rbac.create (kindIs "invalid" $rbac.create) -}}
{{- $source := lower (toString (default "" $v.loadSource) | trim) -}}
{{- $members := lower (toString (default "auto" $v.membersSource) | trim) -}}
{{- $watched := or (include "respread.isSet" $v.serviceName) (include "respread.isSet" $v.podSelector) -}}
{{- $membersFromApi := and (eq $source "prometheus") $watched (or (eq $members "kubernetes") (and (eq $members "auto") (not (include "respread.isSet" $v.prometheusMembersQuery)))) -}}
{{- if and (or (eq $source "kubernetes") $membersFromApi) $create -}}
{{- $name := include "respread.rbacName" . -}}
{{- $sa := default "default" $rbac.serviceAccountName -}}
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: {{ $name }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    app.kubernetes.io/managed-by: {{ $root.Release.Service }}
    app.kubernetes.io/instance: {{ $root.Release.Name }}
    app.kubernetes.io/component: respread
rules:
{{- if eq $source "kubernetes" }}
  - apiGroups: ["metrics.k8s.io"]
    resources: ["pods"]
    verbs: ["list"]
{{- end }}
{{- if include "respread.isSet" $v.serviceName }}
  - apiGroups: ["discovery.k8s.io"]
    resources: ["endpointslices"]
    verbs: ["list", "watch"]
{{- else }}
  - apiGroups: [""]
    resources: ["pods"]
    verbs: ["list", "watch"]
{{- end }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: {{ $name }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    app.kubernetes.io/managed-by: {{ $root.Release.Service }}
    app.kubernetes.io/instance: {{ $root.Release.Name }}
    app.kubernetes.io/component: respread
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: {{ $name }}
subjects:
  - kind: ServiceAccount
    name: {{ $sa }}
    namespace: {{ $root.Release.Namespace }}
{{- end -}}
{{- end -}}

{{/* A duration in whole milliseconds; supports the compound form and ISO-8601 with D/H/M/S. */}}
{{- define "respread.millis" -}}
{{- $s := . | trim -}}
{{- $ms := 0 -}}
{{- if regexMatch "^(?i)([0-9]+(ms|s|m|h|d))+$" $s -}}
{{- range $part := regexFindAll "[0-9]+(ms|s|m|h|d)" (lower $s) -1 -}}
{{- $n := regexFind "^[0-9]+" $part | int64 -}}
{{- $unit := trimPrefix (regexFind "^[0-9]+" $part) $part -}}
{{- $factor := get (dict "ms" 1 "s" 1000 "m" 60000 "h" 3600000 "d" 86400000) $unit -}}
{{- $ms = add $ms (mul $n $factor) -}}
{{- end -}}
{{- else -}}
{{- $re := "^P(?:([0-9]+)D)?(?:T(?:([0-9]+)H)?(?:([0-9]+)M)?(?:([0-9]+)(?:[.,]([0-9]+))?S)?)?$" -}}
{{- $u := upper $s -}}
{{- if or (not (regexMatch $re $u)) (eq $u "P") (eq $u "PT") -}}
{{- fail (printf "respread: cannot work out terminationGracePeriodSeconds from %q; write it as 90s, 5m or 1h30m" $s) -}}
{{- end -}}
{{- $d := regexReplaceAll $re $u "${1}" | default "0" | int64 -}}
{{- $h := regexReplaceAll $re $u "${2}" | default "0" | int64 -}}
{{- $m := regexReplaceAll $re $u "${3}" | default "0" | int64 -}}
{{- $sec := regexReplaceAll $re $u "${4}" | default "0" | int64 -}}
{{- $frac := regexReplaceAll $re $u "${5}" -}}
{{- $ms = add (mul $d 86400000) (mul $h 3600000) (mul $m 60000) (mul $sec 1000) -}}
{{- if $frac -}}
{{- $ms = add $ms (substr 0 3 (printf "%s000" $frac) | int64) -}}
{{- if gt (len $frac) 3 -}}{{- $ms = add $ms 1 -}}{{- end -}}
{{- end -}}
{{- end -}}
{{- $ms -}}
{{- end -}}

{{/*
The pod's terminationGracePeriodSeconds for respread's shutdown: on SIGTERM the application calls
recycler.shutdown(), which waits shutdownDelay (default 5s) for kube-proxy to drop the endpoint,
then drains every connection at once; requests in flight get maxConnectionAgeGrace (default 30s)
before a hard close. So the pod needs shutdownDelay + grace, rounded up, plus a margin for the
application's own shutdown (terminationGraceMarginSeconds, default 5). With the defaults that is
40s, more than Kubernetes' default of 30s. Add the time of any preStop hook yourself: it runs
before SIGTERM and counts against the same period.
*/}}
{{- define "respread.terminationGracePeriodSeconds" -}}
{{- include "respread.validate" . -}}
{{- $a := dict -}}
{{- include "respread.args" (dict "in" . "out" $a) -}}
{{- $v := $a.values -}}
{{- $delay := "5s" -}}
{{- if include "respread.isSet" $v.shutdownDelay -}}{{- $delay = include "respread.text" $v.shutdownDelay -}}{{- end -}}
{{- $grace := "30s" -}}
{{- if include "respread.isSet" $v.maxConnectionAgeGrace -}}{{- $grace = include "respread.text" $v.maxConnectionAgeGrace -}}{{- end -}}
{{- $margin := 5 -}}
{{- if include "respread.isSet" $v.terminationGraceMarginSeconds -}}{{- $margin = include "respread.text" $v.terminationGraceMarginSeconds | int64 -}}{{- end -}}
{{- $ms := add (include "respread.millis" $delay | int64) (include "respread.millis" $grace | int64) -}}
{{- add (div (add $ms 999) 1000) $margin -}}
{{- end -}}

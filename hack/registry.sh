#!/usr/bin/env bash
# Starts or stops Debian's docker-registry on 127.0.0.1 for tests and benchmarks.
#
#   hack/registry.sh start DIR PORT [--tls [--mtls]] [--auth USER:PASS] [--token REALM]
#       Serves DIR/data on 127.0.0.1:PORT. --tls makes a CA (DIR/ca.crt) and a server
#       certificate for 127.0.0.1/localhost with openssl; --auth adds an htpasswd file
#       (apache2-utils), so the registry asks for Basic credentials; --mtls also demands a
#       client certificate (DIR/client.crt + DIR/client.key, signed by the CA); --token makes it ask for
#       Bearer tokens from REALM (service "wasmcri-test", issuer "wasmcri-test-issuer"),
#       signed with DIR/token.key, whose certificate DIR/token.crt the registry trusts.
#       Waits until /v2/ answers.
#   hack/registry.sh stop DIR
#       Stops the registry started on DIR (its pid is in DIR/pid).
set -euo pipefail

usage() { echo "usage: $0 start DIR PORT [--tls [--mtls]] [--auth USER:PASS] [--token REALM] | stop DIR" >&2; exit 2; }

make_tls() {
  local dir=$1
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=wasmcri test CA" \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
    -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n' > "$dir/ext.cnf"
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
    -CAcreateserial -days 2 -extfile "$dir/ext.cnf" -out "$dir/server.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=wasmcri test client" \
    -keyout "$dir/client.key" -out "$dir/client.csr" 2>/dev/null
  openssl x509 -req -in "$dir/client.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
    -CAcreateserial -days 2 -out "$dir/client.crt" 2>/dev/null
}

start() {
  local dir=$1 port=$2 tls=0 mtls=0 auth="" realm=""
  shift 2
  while [ $# -gt 0 ]; do
    case $1 in
      --tls) tls=1 ;;
      --mtls) mtls=1 ;;
      --auth) auth=$2; shift ;;
      --token) realm=$2; shift ;;
      *) usage ;;
    esac
    shift
  done
  mkdir -p "$dir/data"
  dir=$(cd "$dir" && pwd)
  local scheme=http
  {
    echo "version: 0.1"
    echo "log: {level: error, accesslog: {disabled: true}}"
    echo "storage: {filesystem: {rootdirectory: $dir/data}, delete: {enabled: true}}"
    if [ $tls -eq 1 ]; then
      make_tls "$dir"
      scheme=https
      local clientcas=""
      [ $mtls -eq 1 ] && clientcas=", clientcas: [$dir/ca.crt]"
      echo "http: {addr: 127.0.0.1:$port, secret: wasmcri-test, tls: {certificate: $dir/server.crt, key: $dir/server.key$clientcas}}"
    else
      echo "http: {addr: 127.0.0.1:$port, secret: wasmcri-test}"
    fi
    if [ -n "$auth" ]; then
      htpasswd -Bbn "${auth%%:*}" "${auth#*:}" > "$dir/htpasswd"
      echo "auth: {htpasswd: {realm: wasmcri-test, path: $dir/htpasswd}}"
    elif [ -n "$realm" ]; then
      openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=wasmcri test token issuer" \
        -keyout "$dir/token.key" -out "$dir/token.crt" 2>/dev/null
      echo "auth: {token: {realm: \"$realm\", service: wasmcri-test, issuer: wasmcri-test-issuer, rootcertbundle: $dir/token.crt}}"
    fi
  } > "$dir/config.yml"
  docker-registry serve "$dir/config.yml" > "$dir/log" 2>&1 &
  echo $! > "$dir/pid"
  for _ in $(seq 100); do
    # 200 or 401 both mean it is serving.
    code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$dir/ca.crt" \
      --cert "$dir/client.crt" --key "$dir/client.key" "$scheme://127.0.0.1:$port/v2/" 2>/dev/null || true)
    [ "$code" = 200 ] || [ "$code" = 401 ] && { echo "$scheme://127.0.0.1:$port"; return 0; }
    kill -0 "$(cat "$dir/pid")" 2>/dev/null || { cat "$dir/log" >&2; return 1; }
    sleep 0.1
  done
  echo "registry on port $port did not come up; see $dir/log" >&2
  return 1
}

stop() {
  local dir=$1
  [ -f "$dir/pid" ] || return 0
  local pid
  pid=$(cat "$dir/pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f "$dir/pid"
}

[ $# -ge 2 ] || usage
case $1 in
  start) [ $# -ge 3 ] || usage; shift; start "$@" ;;
  stop) stop "$2" ;;
  *) usage ;;
esac

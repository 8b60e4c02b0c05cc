#!/usr/bin/env bash
# Writes the coordinator-TLS test PKI into Tests/Fixtures/cluster-tls/ (test use only: the keys are
# public). A CA and the certificates it signs: master (server; 127.0.0.1, ::1, localhost and the
# network tests' 10.77.0.1), slave (client); and another CA with a "rogue" certificate (server and
# client) that the first CA did not sign. Valid for 100 years; run again to replace them.
set -euo pipefail
out=${1:-"$(dirname "$0")/../Tests/Fixtures/cluster-tls"}
mkdir -p "$out"
cd "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
days=36500
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
ca() { # name subject
    key "$work/$1.key"
    openssl req -x509 -new -key "$work/$1.key" -subj "/CN=$2" -days $days -sha256 \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$1.pem"
}
leaf() { # name ca subject usage san
    key "$1.key"
    openssl req -new -key "$1.key" -subj "/CN=$3" -out "$work/$1.csr"
    printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=%s\n%s\n' "$4" "${5:+subjectAltName=$5}" > "$work/$1.ext"
    openssl x509 -req -in "$work/$1.csr" -CA "$2.pem" -CAkey "$work/$2.key" -CAcreateserial -days $days -sha256 \
        -extfile "$work/$1.ext" -out "$1.pem" 2>/dev/null
}
ca ca "SwiftLocust test CA"
leaf master ca "SwiftLocust test master" serverAuth "IP:127.0.0.1,IP:::1,DNS:localhost,IP:10.77.0.1"
leaf slave ca "SwiftLocust test slave" clientAuth ""
ca other-ca "Another test CA"
leaf rogue other-ca "Rogue peer" "serverAuth,clientAuth" "IP:127.0.0.1,IP:::1,DNS:localhost,IP:10.77.0.1"
rm -f ./*.srl
ls

#!/bin/sh
# diagnose-local-dns.sh: why does a `.local` name not resolve on this Tanzu Kubernetes node?
#
# Runs the diagnosis steps of the knowledge base article ".local names do not resolve on Tanzu
# Kubernetes nodes" on a Photon OS (systemd-networkd) or Ubuntu (netplan) node and names the case.
#
#   sh diagnose-local-dns.sh [--lang en|es] [--root DIR] [--server IP] [--test-fix [--yes]] NAME
#
# Read-only unless --test-fix is given: it reads etc/resolv.conf, etc/nsswitch.conf, the
# systemd-networkd, netplan and resolved.conf files, and runs `resolvectl status`,
# `resolvectl query` (or `systemd-resolve` on old systemd), `getent hosts` and, when installed, `dig`.
# With --test-fix (after a confirmation, or --yes) it adds a temporary routing-only domain to the
# link with `resolvectl domain`, tests again and puts the previous domain list back.
#
# Exit codes (the last-but-one line is `VERDICT: <case>`):
#   0 resolves            the name resolves through the system resolver
#   1 local-not-routed    systemd-resolved sends the .local name to no DNS server (the article's case)
#   2 mdns-authoritative  nss-mdns in etc/nsswitch.conf decides the .local name
#   3 dns-server          the DNS server itself does not know the name
#   4 not-resolved-stub   systemd-resolved is not in the lookup path
#   4 unknown             none of the above could be established
#   64                    usage error
#
# POSIX sh (dash, bash, busybox ash). License: MIT.

set -u

PROG=diagnose-local-dns.sh
KB_URL=https://kb.example.org/
KB_PAGE=troubleshooting/local-dns-tanzu/
TIMEOUT=${DIAGNOSE_TIMEOUT:-15}
NL='
'

# ------------------------------------------------------------------------------------------------
# Messages. msg KEY [ARG...] prints one message in the chosen language ($L).
# ------------------------------------------------------------------------------------------------
L=en

msg() {
    k=$1
    shift
    a1=${1:-}
    a2=${2:-}
    a3=${3:-}
    case "$L.$k" in
    en.usage) cat <<EOF
Usage: sh $PROG [--lang en|es] [--root DIR] [--server IP] [--test-fix [--yes]] NAME

Runs the diagnosis of the article ".local names do not resolve on Tanzu Kubernetes nodes"
for NAME (for example harbor.corp.local) and names the case in its last lines.

  --lang en|es   language of the messages (default: from LC_ALL, LC_MESSAGES or LANG)
  --root DIR     read etc/ and run/ under DIR instead of / (a copied node filesystem)
  --server IP    DNS server to ask directly with dig (default: the link's first DNS server)
  --test-fix     add the routing domain ~ZONE to the link for a moment, test, restore the
                 previous domains (asks first; --yes skips the question). Needs root.
  -h, --help     this help

Nothing on the node is changed unless --test-fix is given.
Exit codes: 0 resolves, 1 local-not-routed, 2 mdns-authoritative, 3 dns-server,
4 not-resolved-stub or unknown, 64 usage error.
EOF
    ;;
    es.usage) cat <<EOF
Uso: sh $PROG [--lang en|es] [--root DIR] [--server IP] [--test-fix [--yes]] NOMBRE

Ejecuta el diagnóstico del artículo "Los nombres .local no se resuelven en los nodos de Tanzu
Kubernetes" para NOMBRE (por ejemplo harbor.corp.local) y nombra el caso en sus últimas líneas.

  --lang en|es   idioma de los mensajes (predeterminado: según LC_ALL, LC_MESSAGES o LANG)
  --root DIR     leer etc/ y run/ dentro de DIR en lugar de / (una copia del sistema del nodo)
  --server IP    servidor DNS al que preguntar directamente con dig (predeterminado: el primer
                 servidor DNS del enlace)
  --test-fix     agregar por un momento el dominio de enrutamiento ~ZONA al enlace, probar y
                 restaurar los dominios anteriores (pregunta antes; --yes omite la pregunta).
                 Requiere root.
  -h, --help     esta ayuda

No se cambia nada en el nodo salvo que se indique --test-fix.
Códigos de salida: 0 resolves, 1 local-not-routed, 2 mdns-authoritative, 3 dns-server,
4 not-resolved-stub o unknown, 64 error de uso.
EOF
    ;;
    en.try_help) echo "Try: sh $PROG --help" ;;
    es.try_help) echo "Prueba: sh $PROG --help" ;;
    en.err_value) echo "$PROG: option $a1 needs a value" ;;
    es.err_value) echo "$PROG: la opción $a1 necesita un valor" ;;
    en.err_lang) echo "$PROG: --lang must be en or es, not '$a1'" ;;
    es.err_lang) echo "$PROG: --lang debe ser en o es, no '$a1'" ;;
    en.err_option) echo "$PROG: unknown option '$a1'" ;;
    es.err_option) echo "$PROG: opción desconocida '$a1'" ;;
    en.err_two_names) echo "$PROG: only one NAME, got '$a1' and '$a2'" ;;
    es.err_two_names) echo "$PROG: solo un NOMBRE; se recibieron '$a1' y '$a2'" ;;
    en.err_no_name) echo "$PROG: the failing NAME is missing (for example harbor.corp.local)" ;;
    es.err_no_name) echo "$PROG: falta el NOMBRE que falla (por ejemplo harbor.corp.local)" ;;
    en.err_bad_name) echo "$PROG: '$a1' is not a host name" ;;
    es.err_bad_name) echo "$PROG: '$a1' no es un nombre de host" ;;
    en.err_bad_server) echo "$PROG: --server needs an IP address, not '$a1'" ;;
    es.err_bad_server) echo "$PROG: --server necesita una dirección IP, no '$a1'" ;;
    en.err_root) echo "$PROG: --root '$a1' is not a directory" ;;
    es.err_root) echo "$PROG: --root '$a1' no es un directorio" ;;
    en.err_fix_root) echo "$PROG: --test-fix changes the running node, so it cannot be combined with --root '$a1'" ;;
    es.err_fix_root) echo "$PROG: --test-fix cambia el nodo en ejecución, así que no se puede combinar con --root '$a1'" ;;
    en.err_fix_tty) echo "$PROG: --test-fix asks for confirmation on a terminal; there is none here. Add --yes to confirm in advance." ;;
    es.err_fix_tty) echo "$PROG: --test-fix pide confirmación en una terminal y aquí no hay ninguna. Agrega --yes para confirmar de antemano." ;;

    en.title) echo "Diagnosis of '$a1' (.local names on Tanzu Kubernetes nodes)" ;;
    es.title) echo "Diagnóstico de '$a1' (nombres .local en nodos de Tanzu Kubernetes)" ;;
    en.readonly) echo "Read-only: nothing on the node is changed." ;;
    es.readonly) echo "Solo lectura: no se cambia nada en el nodo." ;;
    en.fixmode) echo "--test-fix: the link's domains will be changed for a moment and then restored (step 7)." ;;
    es.fixmode) echo "--test-fix: los dominios del enlace se cambiarán por un momento y después se restaurarán (paso 7)." ;;
    en.rootnote) echo "Files are read under $a1; the commands (resolvectl, getent, dig) still ask the machine this script runs on." ;;
    es.rootnote) echo "Los archivos se leen dentro de $a1; los comandos (resolvectl, getent, dig) siguen consultando la máquina donde se ejecuta el script." ;;

    en.s1) echo "Step 1: which resolver the node uses (etc/resolv.conf)" ;;
    es.s1) echo "Paso 1: qué resolutor usa el nodo (etc/resolv.conf)" ;;
    en.s2) echo "Step 2: DNS servers and domains of each link (resolvectl status)" ;;
    es.s2) echo "Paso 2: servidores DNS y dominios de cada enlace (resolvectl status)" ;;
    en.s3) echo "Step 3: resolve the name through systemd-resolved" ;;
    es.s3) echo "Paso 3: resolver el nombre a través de systemd-resolved" ;;
    en.s4) echo "Step 4: the DNS server compared with the system resolver (dig, getent)" ;;
    es.s4) echo "Paso 4: el servidor DNS comparado con el resolutor del sistema (dig, getent)" ;;
    en.s5) echo "Step 5: the hosts line of the name service switch (etc/nsswitch.conf)" ;;
    es.s5) echo "Paso 5: la línea hosts del name service switch (etc/nsswitch.conf)" ;;
    en.s6) echo "Step 6: where the link configuration comes from (networkd, netplan, resolved.conf)" ;;
    es.s6) echo "Paso 6: de dónde sale la configuración del enlace (networkd, netplan, resolved.conf)" ;;
    en.s7) echo "Step 7: temporary routing domain (--test-fix)" ;;
    es.s7) echo "Paso 7: dominio de enrutamiento temporal (--test-fix)" ;;

    en.rc_missing) echo "$a1 does not exist: the C library then asks a DNS server on 127.0.0.1." ;;
    es.rc_missing) echo "$a1 no existe: en ese caso la biblioteca de C pregunta a un servidor DNS en 127.0.0.1." ;;
    en.rc_link) echo "$a1 is a symbolic link to $a2." ;;
    es.rc_link) echo "$a1 es un enlace simbólico a $a2." ;;
    en.rc_link_stub) echo "That is systemd-resolved's stub file." ;;
    es.rc_link_stub) echo "Ese es el archivo del stub de systemd-resolved." ;;
    en.rc_link_uplink) echo "That file lists the real DNS servers: programs ask them directly, without systemd-resolved's routing." ;;
    es.rc_link_uplink) echo "Ese archivo contiene los servidores DNS reales: los programas les preguntan directamente, sin el enrutamiento de systemd-resolved." ;;
    en.rc_stub) echo "nameserver $a1: every lookup goes through systemd-resolved's stub." ;;
    es.rc_stub) echo "nameserver $a1: todas las consultas pasan por el stub de systemd-resolved." ;;
    en.rc_direct) echo "nameserver $a1: lookups go to these servers directly, not through systemd-resolved's stub." ;;
    es.rc_direct) echo "nameserver $a1: las consultas van directamente a estos servidores, no al stub de systemd-resolved." ;;
    en.rc_none) echo "No nameserver line: the C library then asks a DNS server on 127.0.0.1." ;;
    es.rc_none) echo "No hay línea nameserver: en ese caso la biblioteca de C pregunta a un servidor DNS en 127.0.0.1." ;;
    en.rc_search) echo "search line: $a1" ;;
    es.rc_search) echo "línea search: $a1" ;;

    en.no_tool) echo "Neither resolvectl nor systemd-resolve is installed: systemd-resolved is probably not used on this node." ;;
    es.no_tool) echo "No están instalados ni resolvectl ni systemd-resolve: probablemente este nodo no usa systemd-resolved." ;;
    en.old_tool) echo "resolvectl is missing; using systemd-resolve (older systemd)." ;;
    es.old_tool) echo "Falta resolvectl; se usa systemd-resolve (systemd más antiguo)." ;;
    en.status_failed) echo "The command failed (exit code $a1): systemd-resolved may not be running." ;;
    es.status_failed) echo "El comando falló (código de salida $a1): puede que systemd-resolved no esté en ejecución." ;;
    en.timed_out) echo "No answer within $a1 s: the command was stopped." ;;
    es.timed_out) echo "Sin respuesta en $a1 s: se detuvo el comando." ;;
    en.link) echo "Link $a1: DNS servers: $a2; domains: $a3" ;;
    es.link) echo "Enlace $a1: servidores DNS: $a2; dominios: $a3" ;;
    en.global) echo "Global: DNS servers: $a1; domains: $a2" ;;
    es.global) echo "Global: servidores DNS: $a1; dominios: $a2" ;;
    en.none) echo "(none)" ;;
    es.none) echo "(ninguno)" ;;
    en.no_links) echo "No link has DNS servers in systemd-resolved." ;;
    es.no_links) echo "Ningún enlace tiene servidores DNS en systemd-resolved." ;;
    en.multi_links) echo "$a1 links have DNS servers; the checks below use $a2." ;;
    es.multi_links) echo "$a1 enlaces tienen servidores DNS; las comprobaciones siguientes usan $a2." ;;
    en.mdns_on) echo "mDNS is enabled on link $a1: .local questions are multicast there and usually time out." ;;
    es.mdns_on) echo "mDNS está activado en el enlace $a1: las preguntas .local se envían por multidifusión y suelen agotar el tiempo de espera." ;;
    en.covered) echo "The domain $a1 ($a2) covers $a3: systemd-resolved routes the name to that link's DNS servers." ;;
    es.covered) echo "El dominio $a1 ($a2) cubre $a3: systemd-resolved enruta el nombre a los servidores DNS de ese enlace." ;;
    en.covered_root) echo "Only the catch-all routing domain ~. ($a1) covers the name; it routes .local names to DNS only while mDNS is off on every link." ;;
    es.covered_root) echo "Solo el dominio de enrutamiento general ~. ($a1) cubre el nombre; enruta los nombres .local a DNS solo mientras mDNS esté desactivado en todos los enlaces." ;;
    en.not_covered) echo "No search or routing domain, on any link or globally, covers $a1: systemd-resolved does not send this .local name to any DNS server." ;;
    es.not_covered) echo "Ningún dominio de búsqueda o de enrutamiento, en ningún enlace ni global, cubre $a1: systemd-resolved no envía este nombre .local a ningún servidor DNS." ;;
    en.not_covered_files) echo "(Established from the configuration files of step 6, since systemd-resolved could not be asked.)" ;;
    es.not_covered_files) echo "(Determinado a partir de los archivos de configuración del paso 6, ya que no se pudo consultar a systemd-resolved.)" ;;
    en.single_label) echo "$a1 is a single label: systemd-resolved sends it to LLMNR, not to DNS, unless a search domain completes it (ResolveUnicastSingleLabel= is off by default)." ;;
    es.single_label) echo "$a1 tiene una sola etiqueta: systemd-resolved la envía a LLMNR y no a DNS, salvo que un dominio de búsqueda la complete (ResolveUnicastSingleLabel= está desactivado de forma predeterminada)." ;;
    en.not_local) echo "$a1 does not end in .local: systemd-resolved routes it like any other name (to the links marked as default route), so this article's rule does not apply to it." ;;
    es.not_local) echo "$a1 no termina en .local: systemd-resolved lo enruta como cualquier otro nombre (a los enlaces marcados como ruta predeterminada), así que la regla de este artículo no se le aplica." ;;

    en.q_ok) echo "systemd-resolved resolves the name: $a1" ;;
    es.q_ok) echo "systemd-resolved resuelve el nombre: $a1" ;;
    en.q_noservers) echo "\"No appropriate name servers or networks for name found\": no link and no protocol may answer for the name; with mDNS off, that is the .local routing rule at work." ;;
    es.q_noservers) echo "\"No appropriate name servers or networks for name found\": ningún enlace ni protocolo puede responder por el nombre; con mDNS desactivado, es la regla de enrutamiento de .local en acción." ;;
    en.q_timeout) echo "Timeout: the question was sent (for .local names usually by mDNS multicast) and nobody answered." ;;
    es.q_timeout) echo "Tiempo de espera agotado: la pregunta se envió (para nombres .local, normalmente por multidifusión mDNS) y nadie respondió." ;;
    en.q_nxdomain) echo "The DNS server systemd-resolved asked says the name does not exist (NXDOMAIN)." ;;
    es.q_nxdomain) echo "El servidor DNS al que preguntó systemd-resolved dice que el nombre no existe (NXDOMAIN)." ;;
    en.q_nodata) echo "The name exists but has no address record of the type asked for." ;;
    es.q_nodata) echo "El nombre existe, pero no tiene un registro de dirección del tipo consultado." ;;
    en.q_rcode) echo "The DNS server answered with the error $a1." ;;
    es.q_rcode) echo "El servidor DNS respondió con el error $a1." ;;
    en.q_down) echo "systemd-resolved did not answer the request (not running, or no D-Bus)." ;;
    es.q_down) echo "systemd-resolved no respondió a la solicitud (no está en ejecución o no hay D-Bus)." ;;
    en.q_other) echo "Unexpected answer (exit code $a1); see the output above." ;;
    es.q_other) echo "Respuesta inesperada (código de salida $a1); revisa la salida anterior." ;;
    en.q_skipped) echo "Skipped: no resolvectl or systemd-resolve on this node." ;;
    es.q_skipped) echo "Omitido: este nodo no tiene resolvectl ni systemd-resolve." ;;

    en.no_dig) echo "dig is not installed: asking the DNS server directly is skipped. Run 'dig @$a1 $a2' from another machine on the same network." ;;
    es.no_dig) echo "dig no está instalado: se omite la consulta directa al servidor DNS. Ejecuta 'dig @$a1 $a2' desde otra máquina de la misma red." ;;
    en.no_server) echo "No DNS server is known (none in resolvectl, the network files or resolv.conf): use --server IP to ask one directly." ;;
    es.no_server) echo "No se conoce ningún servidor DNS (ni en resolvectl, ni en los archivos de red, ni en resolv.conf): usa --server IP para preguntar a uno directamente." ;;
    en.server_from) echo "DNS server asked directly: $a1 (from $a2)" ;;
    es.server_from) echo "Servidor DNS consultado directamente: $a1 (según $a2)" ;;
    en.src_option) echo "--server" ;;
    es.src_option) echo "--server" ;;
    en.src_resolvectl) echo "resolvectl status" ;;
    es.src_resolvectl) echo "resolvectl status" ;;
    en.src_files) echo "the network files" ;;
    es.src_files) echo "los archivos de red" ;;
    en.src_resolvconf) echo "etc/resolv.conf" ;;
    es.src_resolvconf) echo "etc/resolv.conf" ;;
    en.d_answer) echo "The DNS server $a1 knows the name: $a2" ;;
    es.d_answer) echo "El servidor DNS $a1 conoce el nombre: $a2" ;;
    en.d_nxdomain) echo "The DNS server $a1 answers NXDOMAIN: it does not know the name." ;;
    es.d_nxdomain) echo "El servidor DNS $a1 responde NXDOMAIN: no conoce el nombre." ;;
    en.d_nodata) echo "The DNS server $a1 knows the name but has no A record for it." ;;
    es.d_nodata) echo "El servidor DNS $a1 conoce el nombre, pero no tiene un registro A para él." ;;
    en.d_rcode) echo "The DNS server $a1 answers $a2: it fails or refuses to answer this node." ;;
    es.d_rcode) echo "El servidor DNS $a1 responde $a2: falla o se niega a responder a este nodo." ;;
    en.d_timeout) echo "The DNS server $a1 does not answer (timeout): check the network path and firewalls first." ;;
    es.d_timeout) echo "El servidor DNS $a1 no responde (tiempo de espera agotado): revisa primero la ruta de red y los firewalls." ;;
    en.d_other) echo "dig gave no usable answer from $a1 (exit code $a2)." ;;
    es.d_other) echo "dig no obtuvo una respuesta utilizable de $a1 (código de salida $a2)." ;;
    en.stub_status) echo "Through the local resolver ($a1) the answer is $a2." ;;
    es.stub_status) echo "A través del resolutor local ($a1) la respuesta es $a2." ;;
    en.stub_refused) echo "REFUSED from the stub (SERVFAIL on older systemd) means systemd-resolved had nowhere to send the question." ;;
    es.stub_refused) echo "REFUSED desde el stub (SERVFAIL en versiones antiguas de systemd) significa que systemd-resolved no tenía a dónde enviar la pregunta." ;;
    en.g_ok) echo "getent hosts finds it: $a1" ;;
    es.g_ok) echo "getent hosts lo encuentra: $a1" ;;
    en.g_fail) echo "getent hosts fails (exit code $a1): programs on the node, the container runtime included, cannot resolve the name." ;;
    es.g_fail) echo "getent hosts falla (código de salida $a1): los programas del nodo, incluido el runtime de contenedores, no pueden resolver el nombre." ;;
    en.g_nss) echo "systemd-resolved finds the name but getent does not: the lookup fails in the name service switch before systemd-resolved is asked (step 5)." ;;
    es.g_nss) echo "systemd-resolved encuentra el nombre, pero getent no: la consulta falla en el name service switch antes de preguntar a systemd-resolved (paso 5)." ;;
    en.g_absent) echo "getent is not installed: the system resolver is judged from resolvectl only." ;;
    es.g_absent) echo "getent no está instalado: el resolutor del sistema se juzga solo con resolvectl." ;;
    en.contrast) echo "The DNS server knows the name, yet the node's resolver does not find it: the server is fine, the routing on the node is the cause." ;;
    es.contrast) echo "El servidor DNS conoce el nombre, pero el resolutor del nodo no lo encuentra: el servidor está bien y la causa es el enrutamiento en el nodo." ;;

    en.ns_missing) echo "$a1 does not exist: the C library then uses 'hosts: dns [!UNAVAIL=return] files'." ;;
    es.ns_missing) echo "$a1 no existe: en ese caso la biblioteca de C usa 'hosts: dns [!UNAVAIL=return] files'." ;;
    en.ns_nohosts) echo "No hosts: line in $a1: the C library then uses 'hosts: dns [!UNAVAIL=return] files'." ;;
    es.ns_nohosts) echo "No hay línea hosts: en $a1: en ese caso la biblioteca de C usa 'hosts: dns [!UNAVAIL=return] files'." ;;
    en.ns_line) echo "hosts line: $a1" ;;
    es.ns_line) echo "línea hosts: $a1" ;;
    en.ns_plain) echo "No nss-mdns module before dns/resolve: this line is not part of the problem." ;;
    es.ns_plain) echo "No hay ningún módulo de nss-mdns antes de dns/resolve: esta línea no es parte del problema." ;;
    en.ns_resolve) echo "The resolve module (nss-resolve) asks systemd-resolved directly, whatever resolv.conf says." ;;
    es.ns_resolve) echo "El módulo resolve (nss-resolve) pregunta directamente a systemd-resolved, diga lo que diga resolv.conf." ;;
    en.ns_mdns_auth) echo "$a1 comes before dns/resolve and stops the lookup when mDNS finds nothing ($a2): nss-mdns is authoritative for $a3." ;;
    es.ns_mdns_auth) echo "$a1 está antes de dns/resolve y detiene la consulta cuando mDNS no encuentra nada ($a2): nss-mdns es autoritativo para $a3." ;;
    en.ns_mdns_labels) echo "$a1 is there, but nss-mdns passes names with more than two labels (such as $a2) on to the next module: it does not decide this name." ;;
    es.ns_mdns_labels) echo "$a1 está presente, pero nss-mdns pasa los nombres de más de dos etiquetas (como $a2) al módulo siguiente: no decide este nombre." ;;
    en.ns_mdns_allow_no) echo "$a1 is there, but $a2 does not list a domain of $a3: nss-mdns passes the name on." ;;
    es.ns_mdns_allow_no) echo "$a1 está presente, pero $a2 no incluye ningún dominio de $a3: nss-mdns pasa el nombre al siguiente módulo." ;;
    en.ns_mdns_allow_yes) echo "$a1 reads $a2, which lists a domain of $a3: nss-mdns asks mDNS for it." ;;
    es.ns_mdns_allow_yes) echo "$a1 lee $a2, que incluye un dominio de $a3: nss-mdns lo pregunta por mDNS." ;;
    en.ns_mdns_noreturn) echo "$a1 comes before dns/resolve but without [NOTFOUND=return]: when mDNS finds nothing, the lookup goes on (after a delay)." ;;
    es.ns_mdns_noreturn) echo "$a1 está antes de dns/resolve, pero sin [NOTFOUND=return]: cuando mDNS no encuentra nada, la consulta continúa (con un retraso)." ;;
    en.ns_mdns_noavahi) echo "$a1 would decide $a2, but avahi-daemon's socket (run/avahi-daemon/socket) is missing, so nss-mdns passes the name on." ;;
    es.ns_mdns_noavahi) echo "$a1 decidiría $a2, pero falta el socket de avahi-daemon (run/avahi-daemon/socket), así que nss-mdns pasa el nombre al siguiente módulo." ;;
    en.ns_soa) echo "Exception: if the DNS servers in resolv.conf answer an SOA query for 'local', the minimal modules step aside for two-label names." ;;
    es.ns_soa) echo "Excepción: si los servidores DNS de resolv.conf responden a una consulta SOA de 'local', los módulos minimal se apartan para los nombres de dos etiquetas." ;;
    en.ns_no_dns) echo "Neither dns nor resolve is on the hosts line: names are never asked to DNS." ;;
    es.ns_no_dns) echo "Ni dns ni resolve están en la línea hosts: los nombres nunca se preguntan a DNS." ;;

    en.f_none) echo "No .network file under etc/systemd/network or run/systemd/network, and no netplan file under etc/netplan." ;;
    es.f_none) echo "No hay archivos .network en etc/systemd/network ni en run/systemd/network, ni archivos de netplan en etc/netplan." ;;
    en.f_network) echo "$a1: $a2" ;;
    es.f_network) echo "$a1: $a2" ;;
    en.f_masked) echo "$a1 is overridden by $a2 (same name under etc/)." ;;
    es.f_masked) echo "$a1 queda anulado por $a2 (mismo nombre en etc/)." ;;
    en.f_netplan) echo "$a1: $a2" ;;
    es.f_netplan) echo "$a1: $a2" ;;
    en.f_nodns) echo "no nameservers" ;;
    es.f_nodns) echo "sin nameservers" ;;
    en.f_resolved) echo "$a1: Domains=$a2" ;;
    es.f_resolved) echo "$a1: Domains=$a2" ;;
    en.f_no_domains) echo "DNS servers without any Domains= line (or nameservers.addresses without nameservers.search): the cluster definition never asked for a search domain. The lasting fix goes there, not on the node." ;;
    es.f_no_domains) echo "Servidores DNS sin ninguna línea Domains= (o nameservers.addresses sin nameservers.search): la definición del clúster nunca pidió un dominio de búsqueda. La solución duradera va allí, no en el nodo." ;;
    en.f_has_domain) echo "The files name the domain $a1 for $a2." ;;
    es.f_has_domain) echo "Los archivos indican el dominio $a1 para $a2." ;;

    en.fix_skipped) echo "Not run (read-only). To prove the cause, run again with --test-fix: it adds ~$a1 to link $a2 for a few seconds, tests, and restores the previous domains." ;;
    es.fix_skipped) echo "No se ejecutó (solo lectura). Para confirmar la causa, vuelve a ejecutar con --test-fix: agrega ~$a1 al enlace $a2 durante unos segundos, prueba y restaura los dominios anteriores." ;;
    en.fix_not_useful) echo "Not run: with this verdict a routing domain would not change the result." ;;
    es.fix_not_useful) echo "No se ejecutó: con este veredicto un dominio de enrutamiento no cambiaría el resultado." ;;
    en.fix_no_zone) echo "Not run: a single-label name has no zone to route." ;;
    es.fix_no_zone) echo "No se ejecutó: un nombre de una sola etiqueta no tiene una zona que enrutar." ;;
    en.fix_no_link) echo "Not run: no link with DNS servers was found to attach the domain to." ;;
    es.fix_no_link) echo "No se ejecutó: no se encontró un enlace con servidores DNS al que agregar el dominio." ;;
    en.fix_no_resolvectl) echo "Not run: --test-fix needs resolvectl (systemd 239 or later). By hand: systemd-resolve --interface=$a1 --set-domain='~$a2', then systemd-resolve --revert --interface=$a1 (which also drops DNS servers set at run time)." ;;
    es.fix_no_resolvectl) echo "No se ejecutó: --test-fix necesita resolvectl (systemd 239 o posterior). A mano: systemd-resolve --interface=$a1 --set-domain='~$a2' y después systemd-resolve --revert --interface=$a1 (que también quita los servidores DNS configurados en tiempo de ejecución)." ;;
    en.fix_prompt) printf '%s' "Add the routing domain ~$a1 to link $a2 for a moment, then restore it? [y/N] " ;;
    es.fix_prompt) printf '%s' "¿Agregar por un momento el dominio de enrutamiento ~$a1 al enlace $a2 y después restaurarlo? [s/N] " ;;
    en.fix_declined) echo "Not confirmed: nothing was changed." ;;
    es.fix_declined) echo "Sin confirmación: no se cambió nada." ;;
    en.fix_before) echo "Domains of link $a1 before: $a2" ;;
    es.fix_before) echo "Dominios del enlace $a1 antes: $a2" ;;
    en.fix_apply_failed) echo "resolvectl refused to set the domain (exit code $a1); nothing was changed." ;;
    es.fix_apply_failed) echo "resolvectl se negó a configurar el dominio (código de salida $a1); no se cambió nada." ;;
    en.fix_managed) echo "This systemd is too old to change a link that systemd-networkd manages at run time (\"Link ... is managed\"). Test with a drop-in file and 'systemctl restart systemd-networkd' instead (article: Test on one node first)." ;;
    es.fix_managed) echo "Esta versión de systemd es demasiado antigua para cambiar en tiempo de ejecución un enlace que gestiona systemd-networkd (\"Link ... is managed\"). Prueba en su lugar con un archivo adicional (drop-in) y 'systemctl restart systemd-networkd' (artículo: Probar primero en un solo nodo)." ;;
    en.fix_denied) echo "Permission denied: run the script with sudo for --test-fix." ;;
    es.fix_denied) echo "Permiso denegado: ejecuta el script con sudo para usar --test-fix." ;;
    en.fix_after_ok) echo "With ~$a1 on link $a2 the name resolves: $a3. Confirmed: a search or routing domain is what the node lacks." ;;
    es.fix_after_ok) echo "Con ~$a1 en el enlace $a2 el nombre se resuelve: $a3. Confirmado: al nodo le falta un dominio de búsqueda o de enrutamiento." ;;
    en.fix_after_fail) echo "Even with ~$a1 on link $a2 the name does not resolve: the routing domain alone is not the answer." ;;
    es.fix_after_fail) echo "Incluso con ~$a1 en el enlace $a2 el nombre no se resuelve: el dominio de enrutamiento por sí solo no es la respuesta." ;;
    en.fix_restored) echo "Restored: domains of link $a1 are again: $a2" ;;
    es.fix_restored) echo "Restaurado: los dominios del enlace $a1 vuelven a ser: $a2" ;;
    en.fix_restore_failed) echo "WARNING: the domains of link $a1 could not be restored exactly (now: $a2). Run: sudo resolvectl domain $a1 $a3   (or: sudo resolvectl revert $a1)" ;;
    es.fix_restore_failed) echo "ADVERTENCIA: no se pudieron restaurar exactamente los dominios del enlace $a1 (ahora: $a2). Ejecuta: sudo resolvectl domain $a1 $a3   (o bien: sudo resolvectl revert $a1)" ;;
    en.fix_summary) echo "Before: $a1; with the routing domain: $a2." ;;
    es.fix_summary) echo "Antes: $a1; con el dominio de enrutamiento: $a2." ;;
    en.fails) echo "fails" ;;
    es.fails) echo "falla" ;;
    en.resolves_w) echo "resolves" ;;
    es.resolves_w) echo "se resuelve" ;;

    en.c_resolves) echo "Conclusion: $a1 resolves through the node's resolver. If a Pod still cannot pull, look at the registry, certificates or proxy instead." ;;
    es.c_resolves) echo "Conclusión: $a1 se resuelve con el resolutor del nodo. Si un Pod sigue sin poder descargar la imagen, revisa el registro, los certificados o el proxy." ;;
    en.c_local) echo "Conclusion: the DNS server can answer for $a1, but systemd-resolved sends .local names to no DNS server because no search or routing domain covers the zone. Give the nodes the domain in the cluster definition." ;;
    es.c_local) echo "Conclusión: el servidor DNS puede responder por $a1, pero systemd-resolved no envía los nombres .local a ningún servidor DNS porque ningún dominio de búsqueda o de enrutamiento cubre la zona. Dale el dominio a los nodos en la definición del clúster." ;;
    en.c_local_nodig) echo "(Not checked against the DNS server, since dig is missing: run dig @SERVER $a1 from another machine to be sure.)" ;;
    es.c_local_nodig) echo "(No se comprobó contra el servidor DNS porque falta dig: ejecuta dig @SERVIDOR $a1 desde otra máquina para confirmarlo.)" ;;
    en.c_mdns) echo "Conclusion: nss-mdns in etc/nsswitch.conf decides $a1 before DNS is asked. The node image has to change (the hosts line, or nss-mdns removed)." ;;
    es.c_mdns) echo "Conclusión: nss-mdns en etc/nsswitch.conf decide $a1 antes de que se pregunte a DNS. Hay que cambiar la imagen del nodo (la línea hosts, o quitar nss-mdns)." ;;
    en.c_dns) echo "Conclusion: the DNS server $a2 does not know $a1. Fix the record in the DNS zone first; the node is not the cause." ;;
    es.c_dns) echo "Conclusión: el servidor DNS $a2 no conoce $a1. Corrige primero el registro en la zona DNS; el nodo no es la causa." ;;
    en.c_stub) echo "Conclusion: lookups on this node do not go through systemd-resolved, so the .local routing rule of the article does not explain the failure." ;;
    es.c_stub) echo "Conclusión: las consultas de este nodo no pasan por systemd-resolved, así que la regla de enrutamiento de .local del artículo no explica el fallo." ;;
    en.c_unknown) echo "Conclusion: the checks do not point to one of the known cases. Read the findings above; the article's diagnosis section explains each step." ;;
    es.c_unknown) echo "Conclusión: las comprobaciones no apuntan a ninguno de los casos conocidos. Lee los hallazgos anteriores; la sección de diagnóstico del artículo explica cada paso." ;;
    en.read) echo "Read: $a1" ;;
    es.read) echo "Lee: $a1" ;;
    *) echo "[$k] $a1 $a2 $a3" ;;
    esac
}

say() { msg "$@"; }                       # a line of its own
note() { printf '  - %s\n' "$(msg "$@")"; } # a finding
step() { printf '\n%s\n' "$(msg "$@")"; }
show() {                                  # a command and its output, indented
    printf '  $ %s\n' "$1"
    if [ -n "$2" ]; then
        printf '%s\n' "$2" | awk '
            NR <= 60 { print "    | " $0 }
            END { if (NR > 60) printf "    | ... (%d more lines)\n", NR - 60 }'
    fi
}

usage_error() {
    msg "$@" >&2
    msg try_help >&2
    exit 64
}

# ------------------------------------------------------------------------------------------------
# Arguments
# ------------------------------------------------------------------------------------------------
lang_from_env() {
    v=${LC_ALL:-${LC_MESSAGES:-${LANG:-}}}
    case $v in es*) echo es ;; *) echo en ;; esac
}
L=$(lang_from_env)

ROOT=/
SERVER=
NAME=
TEST_FIX=0
YES=0
HELP=0
while [ $# -gt 0 ]; do
    case $1 in
    --lang | --root | --server)
        [ $# -ge 2 ] || usage_error err_value "$1"
        opt=$1
        val=$2
        shift 2
        ;;
    --lang=* | --root=* | --server=*)
        opt=${1%%=*}
        val=${1#*=}
        shift
        ;;
    --test-fix) TEST_FIX=1; shift; continue ;;
    --yes | -y) YES=1; shift; continue ;;
    -h | --help) HELP=1; shift; continue ;;
    --) shift
        for rest in "$@"; do
            [ -z "$NAME" ] || usage_error err_two_names "$NAME" "$rest"
            NAME=$rest
        done
        break
        ;;
    -*) usage_error err_option "$1" ;;
    *)
        [ -z "$NAME" ] || usage_error err_two_names "$NAME" "$1"
        NAME=$1
        shift
        continue
        ;;
    esac
    case $opt in
    --lang)
        case $val in en | es) L=$val ;; *) usage_error err_lang "$val" ;; esac
        ;;
    --root) ROOT=$val ;;
    --server) SERVER=$val ;;
    esac
done

if [ "$HELP" = 1 ]; then
    msg usage
    exit 0
fi
[ -n "$NAME" ] || usage_error err_no_name
NAME=$(printf '%s' "$NAME" | tr '[:upper:]' '[:lower:]')
NAME=${NAME%.}
case $NAME in
'' | *[!a-z0-9._-]* | .* | *..*) usage_error err_bad_name "$NAME" ;;
esac
if [ -n "$SERVER" ]; then
    case $SERVER in
    *[!0-9a-fA-F.:]* | '') usage_error err_bad_server "$SERVER" ;;
    *.*.*.* | *:*) ;;
    *) usage_error err_bad_server "$SERVER" ;;
    esac
fi
[ -d "$ROOT" ] || usage_error err_root "$ROOT"
ROOT_REAL=$(cd "$ROOT" && pwd -P)
if [ "$TEST_FIX" = 1 ]; then
    [ "$ROOT_REAL" = / ] || usage_error err_fix_root "$ROOT"
    if [ "$YES" != 1 ] && ! [ -t 0 ]; then
        usage_error err_fix_tty
    fi
fi
R=${ROOT_REAL%/}  # "" for /, so "$R/etc/..." is a path either way

# ------------------------------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------------------------------
have() { command -v "$1" >/dev/null 2>&1; }

TIMEOUT_BIN=
have timeout && TIMEOUT_BIN=timeout

# run CMD ARG...: OUT (stdout and stderr), RC (124 after $TIMEOUT seconds)
run() {
    if [ -n "$TIMEOUT_BIN" ]; then
        OUT=$("$TIMEOUT_BIN" "$TIMEOUT" "$@" 2>&1)
        RC=$?
    else
        OUT=$("$@" 2>&1)
        RC=$?
    fi
}

# covers DOMAIN NAME: 0 when DOMAIN (search or ~routing) covers NAME, 2 for the root domain ~.
covers() {
    cd_dom=${1#\~}
    cd_dom=${cd_dom%.}
    [ -n "$cd_dom" ] || return 2
    case $2 in "$cd_dom" | *."$cd_dom") return 0 ;; esac
    return 1
}

labels() { printf '%s\n' "$1" | awk -F. '{ print NF }'; }

# words of a list, or "(none)"
or_none() { if [ -n "$1" ]; then printf '%s' "$1"; else msg none; fi; }

# strip a "#server-name", "%ifindex" or ":port" suffix from a server as resolvectl prints it
bare_server() {
    bs=${1%%#*}
    bs=${bs%%%*}
    case $bs in
    \[*\]:*) bs=${bs#\[}; bs=${bs%%\]*} ;;
    *.*.*.*:*) bs=${bs%:*} ;;
    esac
    printf '%s' "$bs"
}

LOCAL_NAME=0
case $NAME in *.local) LOCAL_NAME=1 ;; esac
NLABELS=$(labels "$NAME")
ZONE=
case $NAME in *.*) ZONE=${NAME#*.} ;; esac

# ------------------------------------------------------------------------------------------------
# Header
# ------------------------------------------------------------------------------------------------
say title "$NAME"
if [ "$TEST_FIX" = 1 ]; then say fixmode; else say readonly; fi
[ -z "$R" ] || say rootnote "$ROOT_REAL"

# ------------------------------------------------------------------------------------------------
# Step 1: etc/resolv.conf
# ------------------------------------------------------------------------------------------------
step s1
RC_FILE=$R/etc/resolv.conf
STUB=no          # yes: lookups go through 127.0.0.53/54
RC_SERVERS=
RC_READ=$RC_FILE
if [ -L "$RC_FILE" ] && have readlink; then
    target=$(readlink "$RC_FILE")
    note rc_link etc/resolv.conf "$target"
    case $target in
    */stub-resolv.conf) note rc_link_stub; STUB=yes ;;
    */systemd/resolve/resolv.conf) note rc_link_uplink ;;
    esac
    case $target in
    /*) RC_READ=$R$target ;;
    *) RC_READ=$R/etc/$target ;;
    esac
    [ -r "$RC_READ" ] || RC_READ=$RC_FILE
fi
if [ -r "$RC_READ" ]; then
    show "cat /etc/resolv.conf" "$(grep -v '^[[:space:]]*$' "$RC_READ")"
    RC_SERVERS=$(awk '$1 == "nameserver" { printf "%s%s", sep, $2; sep = " " }' "$RC_READ")
    rc_search=$(awk '$1 == "search" || $1 == "domain" { $1 = ""; sub(/^ /, ""); print; exit }' "$RC_READ")
    case " $RC_SERVERS " in
    *" 127.0.0.53 "* | *" 127.0.0.54 "*)
        STUB=yes
        note rc_stub "$RC_SERVERS"
        ;;
    "  ")
        [ "$STUB" = yes ] || note rc_none
        ;;
    *)
        STUB=no
        note rc_direct "$RC_SERVERS"
        ;;
    esac
    [ -z "$rc_search" ] || note rc_search "$rc_search"
elif [ "$STUB" != yes ]; then
    note rc_missing etc/resolv.conf
fi

# ------------------------------------------------------------------------------------------------
# Collect the configuration files (printed in step 6; also the last source of a DNS server)
# ------------------------------------------------------------------------------------------------
# A networkd file: "name|dns servers|domains|usedomains" from the file and its drop-ins.
parse_network() {
    awk '
        FNR == 1 { sect = "" }
        /^[ \t]*[#;]/ { next }
        /^[ \t]*\[/ { s = $0; gsub(/[ \t\[\]]/, "", s); sect = s; next }
        {
            line = $0
            eq = index(line, "=")
            if (eq == 0) next
            k = substr(line, 1, eq - 1); v = substr(line, eq + 1)
            gsub(/^[ \t]+|[ \t]+$/, "", k); gsub(/^[ \t]+|[ \t]+$/, "", v)
            if (sect == "Match" && k == "Name") name = (name == "" ? v : name " " v)
            else if (sect == "Network" && k == "DNS") dns = (v == "" ? "" : (dns == "" ? v : dns " " v))
            else if (sect == "Network" && k == "Domains") dom = (v == "" ? "" : (dom == "" ? v : dom " " v))
            else if (sect == "DHCPv4" && k == "UseDomains") use = v
            else if (sect == "DHCP" && k == "UseDomains") use = v
        }
        END { printf "%s|%s|%s|%s\n", name, dns, dom, use }
    ' "$@"
}

# A netplan file: one "interface|addresses|search" line per interface with nameservers.
parse_netplan() {
    awk '
        function trim(s) { gsub(/^[ \t]+|[ \t]+$/, "", s); return s }
        function unq(s) { s = trim(s); gsub(/^["\047]|["\047]$/, "", s); return s }
        function dev(  i) {
            for (i = n; i >= 2; i--)
                if (key[i - 1] ~ /^(ethernets|bonds|bridges|vlans|wifis|tunnels)$/) return key[i]
            return "?"
        }
        function add(kind, x,  d) {
            if (x == "") return
            d = dev(); seen[d] = 1
            if (kind == "addresses") A[d] = (A[d] == "" ? x : A[d] " " x)
            else S[d] = (S[d] == "" ? x : S[d] " " x)
        }
        function addlist(kind, v,  parts, cnt, i) {
            v = trim(v)
            if (v == "") return
            if (substr(v, 1, 1) == "[") {
                gsub(/^\[|\].*$/, "", v)
                cnt = split(v, parts, ",")
                for (i = 1; i <= cnt; i++) add(kind, unq(parts[i]))
            } else add(kind, unq(v))
        }
        {
            line = $0
            sub(/[ \t]+#.*$/, "", line); sub(/^[ \t]*#.*$/, "", line)
            if (line ~ /^[ \t]*$/) next
            match(line, /^ */); ind = RLENGTH
            rest = substr(line, ind + 1)
            if (substr(rest, 1, 2) == "- " || rest == "-") {
                while (n > 0 && ind_[n] > ind) n--
                if (n >= 2 && key[n - 1] == "nameservers" && (key[n] == "addresses" || key[n] == "search"))
                    addlist(key[n], substr(rest, 3))
                next
            }
            c = index(rest, ":")
            if (c == 0) next
            k = unq(substr(rest, 1, c - 1)); v = substr(rest, c + 1)
            while (n > 0 && ind_[n] >= ind) n--
            n++; ind_[n] = ind; key[n] = k
            if (n >= 2 && key[n - 1] == "nameservers" && (k == "addresses" || k == "search")) addlist(k, v)
        }
        END { for (d in seen) printf "%s|%s|%s\n", d, A[d], S[d] }
    ' "$1"
}

NET_REPORT=      # lines for step 6
FILE_SERVERS=    # DNS servers named in the files, in order
FILE_DOMAINS=    # "domain@where" words
FILES_SEEN=0
for f in "$R"/etc/systemd/network/*.network "$R"/run/systemd/network/*.network; do
    [ -f "$f" ] || continue
    FILES_SEEN=1
    base=${f##*/}
    rel=${f#"$R"/}
    case $rel in
    run/*)
        if [ -f "$R/etc/systemd/network/$base" ]; then
            NET_REPORT="$NET_REPORT$(note f_masked "$rel" "etc/systemd/network/$base")$NL"
            continue
        fi
        ;;
    esac
    set -- "$f"
    for d in "$R/etc/systemd/network/$base.d" "$R/run/systemd/network/$base.d"; do
        for c in "$d"/*.conf; do [ -f "$c" ] && set -- "$@" "$c"; done
    done
    IFS='|' read -r n_name n_dns n_dom n_use <<EOF
$(parse_network "$@")
EOF
    desc="Name=$(or_none "$n_name") DNS=$(or_none "$n_dns") Domains=$(or_none "$n_dom")"
    [ -z "$n_use" ] || desc="$desc UseDomains=$n_use"
    if [ $# -gt 1 ]; then
        shift
        extra=
        for c in "$@"; do extra="$extra ${c#"$R"/}"; done
        desc="$desc (+$extra)"
    fi
    NET_REPORT="$NET_REPORT$(note f_network "$rel" "$desc")$NL"
    FILE_SERVERS="$FILE_SERVERS $n_dns"
    for w in $n_dom; do FILE_DOMAINS="$FILE_DOMAINS $w@$rel"; done
done
for f in "$R"/etc/netplan/*.yaml "$R"/etc/netplan/*.yml; do
    [ -f "$f" ] || continue
    FILES_SEEN=1
    rel=${f#"$R"/}
    found=0
    while IFS='|' read -r p_dev p_addr p_search; do
        [ -n "$p_dev" ] || continue
        found=1
        NET_REPORT="$NET_REPORT$(note f_netplan "$rel" "$p_dev: nameservers.addresses=$(or_none "$p_addr") nameservers.search=$(or_none "$p_search")")$NL"
        FILE_SERVERS="$FILE_SERVERS $p_addr"
        for w in $p_search; do FILE_DOMAINS="$FILE_DOMAINS $w@$rel"; done
    done <<EOF
$(parse_netplan "$f")
EOF
    [ "$found" = 1 ] || NET_REPORT="$NET_REPORT$(note f_netplan "$rel" "$(msg f_nodns)")$NL"
done
for f in "$R"/etc/systemd/resolved.conf "$R"/etc/systemd/resolved.conf.d/*.conf "$R"/run/systemd/resolved.conf.d/*.conf; do
    [ -f "$f" ] || continue
    r_dom=$(awk '
        /^[ \t]*\[/ { s = $0; gsub(/[ \t\[\]]/, "", s); sect = s; next }
        sect == "Resolve" && /^[ \t]*Domains[ \t]*=/ { v = $0; sub(/^[^=]*=[ \t]*/, "", v); d = v }
        END { print d }' "$f")
    [ -n "$r_dom" ] || continue
    rel=${f#"$R"/}
    NET_REPORT="$NET_REPORT$(note f_resolved "$rel" "$r_dom")$NL"
    for w in $r_dom; do FILE_DOMAINS="$FILE_DOMAINS $w@$rel"; done
done
FILE_SERVERS=$(printf '%s\n' "$FILE_SERVERS" | awk '{ $1 = $1; print }')

# ------------------------------------------------------------------------------------------------
# Step 2: resolvectl status
# ------------------------------------------------------------------------------------------------
step s2
TOOL=
if have resolvectl; then
    TOOL=resolvectl
elif have systemd-resolve; then
    TOOL=systemd-resolve
    note old_tool
else
    note no_tool
fi

# Parse `resolvectl status` (systemd 239-245 one item per line, 246+ wrapped lists and
# "Protocols:") into "GLOBAL|-|servers|domains|mdns|defaultroute|current" and "LINK|ifname|..." lines.
parse_status() {
    awk '
        function flush() {
            if (sect != "") printf "%s|%s|%s|%s|%s|%s|%s\n", sect, ifn, srv, dom, mdns, dr, cur
        }
        function reset() { srv = ""; dom = ""; cur = ""; mdns = "?"; dr = "?"; key = "" }
        /^Global/ { flush(); sect = "GLOBAL"; ifn = "-"; reset(); next }
        /^Link [0-9]+ \(/ {
            flush(); sect = "LINK"; ifn = $0
            sub(/^Link [0-9]+ \(/, "", ifn); sub(/\).*$/, "", ifn); reset(); next
        }
        sect == "" { next }
        /^[ \t]*$/ { key = ""; next }
        {
            line = $0
            if (match(line, /^[ \t]*[A-Za-z][A-Za-z. ]*[A-Za-z]:([ \t]|$)/)) {
                key = substr(line, 1, RLENGTH); v = substr(line, RLENGTH + 1)
                sub(/^[ \t]+/, "", key); sub(/:[ \t]*$/, "", key)
            } else v = line
            gsub(/^[ \t]+|[ \t]+$/, "", v)
            if (v == "") next
            if (key == "DNS Servers") srv = (srv == "" ? v : srv " " v)
            else if (key == "DNS Domain") dom = (dom == "" ? v : dom " " v)
            else if (key == "Current DNS Server") cur = v
            else if (key == "MulticastDNS setting") mdns = (v == "no" ? "no" : "yes")
            else if (key == "DefaultRoute setting" || key == "Default Route") dr = v
            else if (key == "Protocols") {
                nw = split(v, w, " ")
                for (i = 1; i <= nw; i++) {
                    if (w[i] == "+mDNS") mdns = "yes"
                    else if (w[i] == "-mDNS") mdns = "no"
                    else if (w[i] ~ /^mDNS=/) mdns = (w[i] == "mDNS=no" ? "no" : "yes")
                    else if (w[i] == "+DefaultRoute") dr = "yes"
                    else if (w[i] == "-DefaultRoute") dr = "no"
                }
            }
        }
        END { flush() }
    '
}

STATUS_OK=0
LINKS=            # parsed LINK lines
GLOBAL_LINE=
if [ -n "$TOOL" ]; then
    if [ "$TOOL" = resolvectl ]; then
        run resolvectl status
        show "resolvectl status" "$OUT"
    else
        run systemd-resolve --status
        show "systemd-resolve --status" "$OUT"
    fi
    if [ "$RC" = 124 ]; then
        note timed_out "$TIMEOUT"
    elif [ "$RC" != 0 ]; then
        note status_failed "$RC"
    else
        STATUS_OK=1
        parsed=$(printf '%s\n' "$OUT" | parse_status)
        GLOBAL_LINE=$(printf '%s\n' "$parsed" | grep '^GLOBAL|' | head -n 1)
        LINKS=$(printf '%s\n' "$parsed" | grep '^LINK|')
    fi
fi

FIX_LINK=         # the link the checks (and --test-fix) use
LINK_SERVER=
MDNS_ANY=no
COVER_WHERE=      # "domain|where" of the best covering domain
COVER_ROOT=       # where ~. is
n_with=0
if [ "$STATUS_OK" = 1 ]; then
    IFS='|' read -r _ _ g_srv g_dom _ _ _ <<EOF
$GLOBAL_LINE
EOF
    if [ -n "$g_srv$g_dom" ]; then
        note global "$(or_none "$g_srv")" "$(or_none "$g_dom")"
    fi
    best=-1
    for w in $g_dom; do
        covers "$w" "$NAME"
        case $? in
        0) c=$(labels "${w#\~}"); [ "$c" -le "$best" ] || { best=$c; COVER_WHERE="$w|Global"; } ;;
        2) COVER_ROOT=Global ;;
        esac
    done
    first_dr=
    first_any=
    want=
    [ -z "$SERVER" ] || want=$SERVER
    while IFS='|' read -r _ l_if l_srv l_dom l_mdns l_dr l_cur; do
        [ -n "$l_if" ] || continue
        [ "$l_mdns" != yes ] || { MDNS_ANY=yes; [ -z "$l_srv$l_dom" ] || note mdns_on "$l_if"; }
        [ -n "$l_srv" ] || continue
        n_with=$((n_with + 1))
        note link "$l_if" "$l_srv" "$(or_none "$l_dom")"
        [ -n "$first_any" ] || first_any=$l_if
        if [ -z "$first_dr" ] && [ "$l_dr" != no ] && [ -n "$l_cur" ]; then first_dr=$l_if; fi
        if [ -n "$want" ]; then
            for s in $l_srv; do [ "$(bare_server "$s")" != "$want" ] || { FIX_LINK=$l_if; want=; }; done
        fi
        for w in $l_dom; do
            covers "$w" "$NAME"
            case $? in
            0) c=$(labels "${w#\~}"); [ "$c" -le "$best" ] || { best=$c; COVER_WHERE="$w|$l_if"; } ;;
            2) COVER_ROOT=${COVER_ROOT:-$l_if} ;;
            esac
        done
    done <<EOF
$LINKS
EOF
    [ -n "$FIX_LINK" ] || FIX_LINK=${first_dr:-$first_any}
    if [ -n "$FIX_LINK" ]; then
        line=$(printf '%s\n' "$LINKS" | awk -F'|' -v l="$FIX_LINK" '$2 == l { print; exit }')
        IFS='|' read -r _ _ l_srv _ _ _ l_cur <<EOF
$line
EOF
        for s in $l_srv; do LINK_SERVER=$(bare_server "$s"); break; done
        [ "$n_with" -le 1 ] || note multi_links "$n_with" "$FIX_LINK"
    else
        note no_links
        for s in $g_srv; do LINK_SERVER=$(bare_server "$s"); break; done
    fi
fi

# Coverage from the files when systemd-resolved could not be asked.
COVER_FROM_FILES=0
if [ "$STATUS_OK" != 1 ]; then
    best=-1
    for wd in $FILE_DOMAINS; do
        w=${wd%%@*}
        covers "$w" "$NAME"
        case $? in
        0) c=$(labels "${w#\~}"); [ "$c" -le "$best" ] || { best=$c; COVER_WHERE="$w|${wd#*@}"; } ;;
        2) COVER_ROOT=${wd#*@} ;;
        esac
    done
    COVER_FROM_FILES=1
fi

COVERED=no
if [ "$NLABELS" -le 1 ]; then
    note single_label "$NAME"
elif [ "$LOCAL_NAME" != 1 ]; then
    note not_local "$NAME"
    [ -z "$COVER_WHERE" ] || COVERED=yes
elif [ -n "$COVER_WHERE" ]; then
    COVERED=yes
    note covered "${COVER_WHERE%%|*}" "${COVER_WHERE#*|}" "$NAME"
elif [ -n "$COVER_ROOT" ] && [ "$MDNS_ANY" = no ]; then
    COVERED=yes
    note covered_root "$COVER_ROOT"
else
    [ -z "$COVER_ROOT" ] || note covered_root "$COVER_ROOT"
    note not_covered "$NAME"
    [ "$COVER_FROM_FILES" != 1 ] || note not_covered_files
fi

# ------------------------------------------------------------------------------------------------
# Step 3: resolvectl query
# ------------------------------------------------------------------------------------------------
step s3
# classify_query OUT RC: Q = ok | noservers | timeout | nxdomain | nodata | rcode | down | other
classify_query() {
    Q_DETAIL=
    case $1 in
    *"No appropriate name servers or networks"*) Q=noservers ;;
    *"Query timed out"* | *"All attempts to contact name servers or networks failed"* | *"timed out"*) Q=timeout ;;
    *"does not have any RR"*) Q=nodata ;;
    *"returned error"*)
        Q=rcode
        Q_DETAIL=$(printf '%s\n' "$1" | sed -n 's/.*returned error:\{0,1\} \([A-Za-z0-9]*\).*/\1/p' | head -n 1)
        ;;
    *"Failed to "* | *"not available"* | *"Could not activate"* | *"Unit dbus-org.freedesktop.resolve1"* | *"not running"*) Q=down ;;
    *" not found"*) Q=nxdomain ;;
    *)
        if [ "$2" = 124 ]; then
            Q=timeout
        elif [ "$2" = 0 ]; then
            Q=ok
        else
            Q=other
        fi
        ;;
    esac
    [ "$2" != 124 ] || Q=timeout
    if [ "$Q" = ok ]; then
        Q_DETAIL=$(printf '%s\n' "$1" | awk '$1 ~ /:$/ && NF >= 2 { print $2; exit }')
    fi
}

query_resolved() {
    if [ "$TOOL" = resolvectl ]; then
        run resolvectl query "$NAME"
        show "resolvectl query $NAME" "$OUT"
    else
        run systemd-resolve "$NAME"
        show "systemd-resolve $NAME" "$OUT"
    fi
    classify_query "$OUT" "$RC"
}

report_query() {
    case $Q in
    ok) note q_ok "$Q_DETAIL" ;;
    noservers) note q_noservers ;;
    timeout) [ "$RC" != 124 ] || note timed_out "$TIMEOUT"; note q_timeout ;;
    nxdomain) note q_nxdomain ;;
    nodata) note q_nodata ;;
    rcode) note q_rcode "$Q_DETAIL" ;;
    down) note q_down ;;
    *) note q_other "$RC" ;;
    esac
}

Q=none
if [ -n "$TOOL" ]; then
    query_resolved
    report_query
else
    note q_skipped
fi

# ------------------------------------------------------------------------------------------------
# Step 4: dig @server, dig through the stub, getent hosts
# ------------------------------------------------------------------------------------------------
step s4
SRC=
if [ -n "$SERVER" ]; then
    SRC=src_option
elif [ -n "$LINK_SERVER" ]; then
    SERVER=$LINK_SERVER
    SRC=src_resolvectl
else
    for s in $FILE_SERVERS; do SERVER=$(bare_server "$s"); SRC=src_files; break; done
    if [ -z "$SERVER" ]; then
        for s in $RC_SERVERS; do
            case $s in 127.0.0.53 | 127.0.0.54) continue ;; esac
            SERVER=$s
            SRC=src_resolvconf
            break
        done
    fi
fi

# dig_parse OUT: D = answer | nxdomain | nodata | servfail | refused | rcode | timeout | other
dig_parse() {
    D_STATUS=$(printf '%s\n' "$1" | sed -n 's/.*status: \([A-Z]*\).*/\1/p' | head -n 1)
    D_ADDRS=$(printf '%s\n' "$1" | awk '
        /^;/ || NF < 5 { next }
        $4 == "A" || $4 == "AAAA" { printf "%s%s", sep, $5; sep = " " }')
    case $D_STATUS in
    NOERROR) if [ -n "$D_ADDRS" ]; then D=answer; else D=nodata; fi ;;
    NXDOMAIN) D=nxdomain ;;
    SERVFAIL) D=servfail ;;
    REFUSED) D=refused ;;
    '')
        case $1 in
        *"timed out"* | *"no servers could be reached"*) D=timeout ;;
        *) D=other ;;
        esac
        ;;
    *) D=rcode ;;
    esac
}

D=absent
if ! have dig; then
    note no_dig "${SERVER:-SERVER}" "$NAME"
elif [ -z "$SERVER" ]; then
    D=noserver
    note no_server
else
    note server_from "$SERVER" "$(msg "$SRC")"
    run dig +time=3 +tries=1 "@$SERVER" "$NAME" A
    show "dig @$SERVER $NAME" "$(printf '%s\n' "$OUT" | grep -E 'status:|[[:space:]]IN[[:space:]]|timed out|no servers|error')"
    [ "$RC" != 124 ] || OUT="$OUT timed out"
    dig_parse "$OUT"
    case $D in
    answer) note d_answer "$SERVER" "$D_ADDRS" ;;
    nxdomain) note d_nxdomain "$SERVER" ;;
    nodata) note d_nodata "$SERVER" ;;
    servfail | refused | rcode) note d_rcode "$SERVER" "$D_STATUS" ;;
    timeout) note d_timeout "$SERVER" ;;
    *) note d_other "$SERVER" "$RC" ;;
    esac
    if [ "$STUB" = yes ]; then
        run dig +time=3 +tries=1 "$NAME" A
        show "dig $NAME" "$(printf '%s\n' "$OUT" | grep -E 'status:|timed out|no servers|error')"
        dig_stub=$D
        dig_stub_status=$D_STATUS
        dig_parse "$OUT"
        [ -z "$D_STATUS" ] || note stub_status 127.0.0.53 "$D_STATUS"
        case $D_STATUS in REFUSED | SERVFAIL) note stub_refused ;; esac
        D=$dig_stub
        D_STATUS=$dig_stub_status
    fi
fi

G=absent
if have getent; then
    run getent hosts "$NAME"
    show "getent hosts $NAME" "$OUT"
    if [ "$RC" = 0 ] && [ -n "$OUT" ]; then
        G=ok
        note g_ok "$(printf '%s\n' "$OUT" | awk '{ print $1; exit }')"
    else
        G=fail
        [ "$RC" != 124 ] || note timed_out "$TIMEOUT"
        note g_fail "$RC"
    fi
else
    note g_absent
fi
if [ "$D" = answer ] && [ "$G" = fail ] && [ "$Q" != ok ]; then note contrast; fi
if [ "$Q" = ok ] && [ "$G" = fail ]; then note g_nss; fi

# ------------------------------------------------------------------------------------------------
# Step 5: etc/nsswitch.conf
# ------------------------------------------------------------------------------------------------
step s5
NS_FILE=$R/etc/nsswitch.conf
USES_RESOLVE_NSS=no
MDNS_AUTH=no
HAS_DNS=yes
# "module|return-on-notfound(0/1)" per source of the hosts line, in order.
parse_hosts() {
    awk '
        /^[ \t]*hosts[ \t]*:/ {
            line = $0; sub(/#.*/, "", line); sub(/^[ \t]*hosts[ \t]*:/, "", line)
            out = ""; inb = 0; tok = ""
            for (i = 1; i <= length(line); i++) {
                ch = substr(line, i, 1)
                if (ch == "[") inb = 1
                if (ch == "]") inb = 0
                if ((ch == " " || ch == "\t") && !inb) { if (tok != "") out = out "\n" tok; tok = "" }
                else if (ch != " " && ch != "\t") tok = tok ch
            }
            if (tok != "") out = out "\n" tok
            n = split(out, t, "\n")
            m = ""
            for (i = 1; i <= n; i++) {
                if (t[i] == "") continue
                if (substr(t[i], 1, 1) == "[") {
                    a = toupper(t[i])
                    if (a ~ /NOTFOUND=RETURN/ || a ~ /!UNAVAIL=RETURN/ || a ~ /!SUCCESS=RETURN/) r = 1
                    continue
                }
                if (m != "") print m "|" r
                m = t[i]; r = 0
            }
            if (m != "") print m "|" r
            exit
        }' "$1"
}

# mdns_applies MODULE: 0 when nss-mdns would look NAME up by mDNS (nss-mdns 0.11+ heuristics)
MDNS_ALLOW=$R/etc/mdns.allow
mdns_applies() {
    case $1 in
    *_minimal)
        # The minimal modules never read mdns.allow: .local names of exactly two labels only.
        [ "$LOCAL_NAME" = 1 ] && [ "$NLABELS" -eq 2 ] && return 0
        MDNS_WHY=labels
        return 1
        ;;
    esac
    if [ -f "$MDNS_ALLOW" ]; then
        while read -r entry _; do
            case $entry in '' | \#*) continue ;; '*') return 0 ;; esac
            entry=.${entry#.}
            entry=${entry%.}
            case $NAME in *"$entry") return 0 ;; esac
        done <"$MDNS_ALLOW"
        MDNS_WHY=allow
        return 1
    fi
    [ "$LOCAL_NAME" = 1 ] && [ "$NLABELS" -eq 2 ] && return 0
    MDNS_WHY=labels
    return 1
}

if [ ! -r "$NS_FILE" ]; then
    note ns_missing etc/nsswitch.conf
else
    hosts_line=$(grep -E '^[[:space:]]*hosts[[:space:]]*:' "$NS_FILE" | head -n 1)
    if [ -z "$hosts_line" ]; then
        note ns_nohosts etc/nsswitch.conf
    else
        show "grep '^hosts' /etc/nsswitch.conf" "$hosts_line"
        seen_dns=no
        mdns_note=
        while IFS='|' read -r mod ret; do
            [ -n "$mod" ] || continue
            case $mod in
            dns) seen_dns=yes ;;
            resolve)
                [ "$seen_dns" = yes ] || USES_RESOLVE_NSS=yes
                seen_dns=yes
                ;;
            mdns | mdns4 | mdns6 | mdns_minimal | mdns4_minimal | mdns6_minimal)
                [ "$seen_dns" = no ] || continue
                [ "$MDNS_AUTH" = no ] || continue
                MDNS_WHY=
                if ! mdns_applies "$mod"; then
                    if [ "$MDNS_WHY" = allow ]; then
                        mdns_note="$mdns_note$(note ns_mdns_allow_no "$mod" etc/mdns.allow "$NAME")$NL"
                    else
                        mdns_note="$mdns_note$(note ns_mdns_labels "$mod" "$NAME")$NL"
                    fi
                elif [ "$ret" != 1 ]; then
                    mdns_note="$mdns_note$(note ns_mdns_noreturn "$mod")$NL"
                elif [ ! -e "$R/run/avahi-daemon/socket" ] && [ ! -e "$R/var/run/avahi-daemon/socket" ]; then
                    mdns_note="$mdns_note$(note ns_mdns_noavahi "$mod" "$NAME")$NL"
                else
                    MDNS_AUTH=yes
                    case $mod in
                    *_minimal) ;;
                    *) [ ! -f "$MDNS_ALLOW" ] || mdns_note="$mdns_note$(note ns_mdns_allow_yes "$mod" etc/mdns.allow "$NAME")$NL" ;;
                    esac
                    mdns_note="$mdns_note$(note ns_mdns_auth "$mod" "[NOTFOUND=return]" "$NAME")$NL"
                    case $mod in *_minimal) mdns_note="$mdns_note$(note ns_soa)$NL" ;; esac
                fi
                ;;
            esac
        done <<EOF
$(parse_hosts "$NS_FILE")
EOF
        [ "$seen_dns" = yes ] || HAS_DNS=no
        if [ -n "$mdns_note" ]; then
            printf '%s' "$mdns_note"
        elif [ "$HAS_DNS" = yes ]; then
            note ns_plain
        fi
        [ "$HAS_DNS" = yes ] || note ns_no_dns
        [ "$USES_RESOLVE_NSS" = no ] || note ns_resolve
    fi
fi

# ------------------------------------------------------------------------------------------------
# Step 6: the network files
# ------------------------------------------------------------------------------------------------
step s6
if [ "$FILES_SEEN" = 0 ]; then
    note f_none
else
    printf '%s' "$NET_REPORT"
    if [ -n "$FILE_SERVERS" ] && [ -z "$FILE_DOMAINS" ]; then
        note f_no_domains
    fi
    for wd in $FILE_DOMAINS; do
        covers "${wd%%@*}" "$NAME" && note f_has_domain "${wd%%@*}" "${wd#*@}"
    done
fi

# ------------------------------------------------------------------------------------------------
# Verdict (before the test)
# ------------------------------------------------------------------------------------------------
USES_RESOLVED=no
[ "$STUB" = no ] || USES_RESOLVED=yes
[ "$USES_RESOLVE_NSS" = no ] || USES_RESOLVED=yes

decide() {
    if [ "$G" = ok ] || { [ "$G" = absent ] && [ "$Q" = ok ]; }; then
        VERDICT=resolves
    elif [ "$MDNS_AUTH" = yes ]; then
        VERDICT=mdns-authoritative
    elif [ "$D" = nxdomain ] || [ "$D" = nodata ]; then
        VERDICT=dns-server
    elif [ "$USES_RESOLVED" = no ]; then
        VERDICT=not-resolved-stub
    elif [ "$LOCAL_NAME" = 1 ] && [ "$NLABELS" -ge 2 ] && [ "$COVERED" = no ] &&
        { [ "$Q" = noservers ] || [ "$Q" = timeout ]; } &&
        { [ "$D" = answer ] || [ "$D" = absent ]; }; then
        VERDICT=local-not-routed
    else
        VERDICT=unknown
    fi
}
decide

# ------------------------------------------------------------------------------------------------
# Step 7: --test-fix
# ------------------------------------------------------------------------------------------------
step s7

# Domains of a link as `resolvectl domain LINK` prints them ("Link 2 (eth0): a ~b", wrapped).
link_domains() {
    run resolvectl domain "$1"
    LD=$(printf '%s\n' "$OUT" | awk '
        NR == 1 { sub(/^[^:]*:/, "") }
        { for (i = 1; i <= NF; i++) { printf "%s%s", sep, $i; sep = " " } }')
}

FIX_CHANGED=0
fix_restore() {
    [ "$FIX_CHANGED" = 1 ] || return 0
    if [ -n "$FIX_PREV" ]; then
        # shellcheck disable=SC2086 # the domain list is split into words on purpose
        run resolvectl domain "$FIX_LINK" $FIX_PREV
    else
        run resolvectl domain "$FIX_LINK" ""
    fi
    show "resolvectl domain $FIX_LINK ${FIX_PREV:-\"\"}" "$OUT"
    FIX_CHANGED=0
    run resolvectl flush-caches
    link_domains "$FIX_LINK"
    if [ "$LD" = "$FIX_PREV" ]; then
        note fix_restored "$FIX_LINK" "$(or_none "$LD")"
    else
        note fix_restore_failed "$FIX_LINK" "$(or_none "$LD")" "${FIX_PREV:-\"\"}"
    fi
}

if [ "$TEST_FIX" != 1 ]; then
    if [ -z "$ZONE" ]; then
        note fix_no_zone
    elif [ "$VERDICT" = resolves ] || [ "$VERDICT" = mdns-authoritative ] || [ "$VERDICT" = dns-server ]; then
        note fix_not_useful
    else
        note fix_skipped "$ZONE" "${FIX_LINK:-eth0}"
    fi
elif [ "$VERDICT" = resolves ] || [ "$VERDICT" = mdns-authoritative ] || [ "$VERDICT" = dns-server ]; then
    note fix_not_useful
elif [ -z "$ZONE" ]; then
    note fix_no_zone
elif [ "$TOOL" != resolvectl ]; then
    note fix_no_resolvectl "${FIX_LINK:-eth0}" "$ZONE"
elif [ -z "$FIX_LINK" ]; then
    note fix_no_link
else
    answer=y
    if [ "$YES" != 1 ]; then
        msg fix_prompt "$ZONE" "$FIX_LINK"
        read -r answer || answer=
    fi
    case $answer in
    [yYsS]*)
        link_domains "$FIX_LINK"
        FIX_PREV=$LD
        note fix_before "$FIX_LINK" "$(or_none "$FIX_PREV")"
        trap 'fix_restore; exit 130' INT TERM HUP
        # shellcheck disable=SC2086 # the domain list is split into words on purpose
        run resolvectl domain "$FIX_LINK" $FIX_PREV "~$ZONE"
        show "resolvectl domain $FIX_LINK $FIX_PREV ~$ZONE" "$OUT"
        if [ "$RC" != 0 ]; then
            note fix_apply_failed "$RC"
            case $OUT in
            *"is managed"*) note fix_managed ;;
            *"ccess denied"* | *"nteractive authentication required"* | *"ermission denied"*) note fix_denied ;;
            esac
        else
            FIX_CHANGED=1
            run resolvectl flush-caches
            show "resolvectl flush-caches" "$OUT"
            query_resolved
            report_query
            Q_FIX=$Q
            Q_FIX_DETAIL=$Q_DETAIL
            G_FIX=absent
            if have getent; then
                run getent hosts "$NAME"
                show "getent hosts $NAME" "$OUT"
                if [ "$RC" = 0 ] && [ -n "$OUT" ]; then G_FIX=ok; else G_FIX=fail; fi
            fi
            fix_restore
            trap - INT TERM HUP
            if [ "$G_FIX" = ok ] || { [ "$G_FIX" = absent ] && [ "$Q_FIX" = ok ]; }; then
                note fix_after_ok "$ZONE" "$FIX_LINK" "${Q_FIX_DETAIL:-ok}"
                note fix_summary "$(msg fails)" "$(msg resolves_w)"
                # The name failed before and resolves with the routing domain: that is the case,
                # whatever the files suggested (unknown, or not-resolved-stub with nss-resolve unseen).
                VERDICT=local-not-routed
            else
                note fix_after_fail "$ZONE" "$FIX_LINK"
                note fix_summary "$(msg fails)" "$(msg fails)"
            fi
        fi
        ;;
    *) note fix_declined ;;
    esac
fi

# ------------------------------------------------------------------------------------------------
# Conclusion, verdict, article section
# ------------------------------------------------------------------------------------------------
echo
case $VERDICT in
resolves) say c_resolves "$NAME"; CODE=0 ;;
local-not-routed)
    say c_local "$NAME"
    [ "$D" != absent ] || say c_local_nodig "$NAME"
    CODE=1
    ;;
mdns-authoritative) say c_mdns "$NAME"; CODE=2 ;;
dns-server) say c_dns "$NAME" "$SERVER"; CODE=3 ;;
not-resolved-stub) say c_stub; CODE=4 ;;
*) VERDICT=unknown; say c_unknown; CODE=4 ;;
esac
echo "VERDICT: $VERDICT"
if [ "$L" = es ]; then page=${KB_URL}es/$KB_PAGE; else page=$KB_URL$KB_PAGE; fi
say read "$page#verdict-$VERDICT"
exit "$CODE"

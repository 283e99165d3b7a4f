#!/usr/bin/env bash
# A one-node Slurm cluster inside one folder, for tests and for trying `silica sweep --slurm`.
#
#   eval "$(tests/slurm/local-cluster.sh start)"   # prints `export SLURM_CONF=…` lines
#   sbatch --wrap 'hostname'; squeue; sinfo
#   tests/slurm/local-cluster.sh status
#   tests/slurm/local-cluster.sh stop              # cancels the jobs, stops the daemons
#
# start: installs Debian's slurmctld, slurmd, slurm-client and munge if they are missing
#   (apt-get, --no-install-recommends; root only), writes a configuration, a munge key,
#   state, spool and logs into $SILICA_SLURM_DIR (a new temporary folder if unset), starts
#   munged, slurmctld and slurmd on free ports (from $SILICA_SLURM_PORT, default 26817),
#   waits until `sinfo` shows the node idle and prints the exports that point the Slurm
#   commands at this cluster. Nothing outside the folder is written besides the packages;
#   nothing in /etc is edited. Running `start` again on a running cluster only prints the
#   exports.
# stop: cancels every job of the cluster, then ends exactly the processes `start` started
#   (by the PIDs it recorded, each checked to be the daemon of this folder) and removes the
#   folder if `start` created it.
# status: the daemons and `sinfo`; exit status 0 when the cluster is up, 3 when it is not.
#
# Exit status 77: not root, or the packages are missing and cannot be installed (no
# apt-get, no package registry): callers skip their Slurm tests on it.
set -euo pipefail

PACKAGES=(slurmctld slurmd slurm-client munge)
COMMANDS=(munged slurmctld slurmd sbatch squeue scontrol sinfo scancel)

log() { echo "local-cluster: $*" >&2; }
die() {
    log "$*"
    exit 1
}

have_commands() {
    local c
    for c in "${COMMANDS[@]}"; do
        command -v "$c" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin:/sbin" command -v "$c" >/dev/null 2>&1 || return 1
    done
}

install_packages() {
    export PATH="$PATH:/usr/sbin:/sbin"
    if [[ $(id -u) -ne 0 ]]; then
        # slurmd must be root to start jobs, and apt-get to install.
        log "needs root: to install ${PACKAGES[*]} and to run slurmd"
        exit 77
    fi
    have_commands && return 0
    if ! command -v apt-get >/dev/null 2>&1; then
        log "cannot install ${PACKAGES[*]}: no apt-get (not a Debian system)"
        exit 77
    fi
    local t0=$SECONDS apt=(env DEBIAN_FRONTEND=noninteractive apt-get -y -q)
    log "installing ${PACKAGES[*]} with apt-get"
    if ! "${apt[@]}" install --no-install-recommends "${PACKAGES[@]}" >&2; then
        if ! "${apt[@]}" update >&2 ||
            ! "${apt[@]}" install --no-install-recommends "${PACKAGES[@]}" >&2; then
            log "cannot install ${PACKAGES[*]}: apt-get failed (no package registry?)"
            exit 77
        fi
    fi
    have_commands || die "installed ${PACKAGES[*]} but some of ${COMMANDS[*]} are missing"
    log "installed in $((SECONDS - t0)) s"
}

# The PID recorded for daemon $1, if that process is alive and is the daemon of this folder.
live_pid() {
    local f="$DIR/run/$1.pid" pid
    [[ -f $f ]] || return 1
    pid=$(<"$f")
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    [[ -r /proc/$pid/cmdline ]] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$DIR/" || return 1
    echo "$pid"
}

all_running() {
    live_pid munged >/dev/null && live_pid slurmctld >/dev/null && live_pid slurmd >/dev/null
}

# Is something listening on 127.0.0.1:$1?
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Starts "$@" detached (own session, no terminal, output to $DIR/log/$name.out) and
# records its PID.
spawn() {
    local name=$1
    shift
    setsid "$@" </dev/null >"$DIR/log/$name.out" 2>&1 &
    echo $! >"$DIR/run/$name.pid"
}

wait_for() { # seconds, description, command…
    local limit=$1 what=$2 i
    shift 2
    for ((i = 0; i < limit * 20; i++)); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.05
    done
    log "timed out after ${limit} s waiting for $what"
    return 1
}

node_idle() { [[ $(sinfo -h -n "$NODE" -o %t 2>/dev/null) == idle ]]; }

# The node is idle, or a daemon has exited (no use waiting longer).
up_or_dead() { ! all_running || node_idle; }

print_exports() {
    echo "export SILICA_SLURM_DIR='$DIR'"
    echo "export SLURM_CONF='$DIR/etc/slurm.conf'"
}

write_config() {
    local cpus mem_mib ctld_port=$1 slurmd_port=$2
    cpus=$(nproc)
    # Half the machine's memory: slurmd drains a node that reports less than configured.
    mem_mib=$(($(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 1024 / 2))
    cat >"$DIR/etc/slurm.conf" <<EOF
# Written by tests/slurm/local-cluster.sh: a one-node cluster inside $DIR.
ClusterName=silica-local
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=$(id -un)
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$DIR/munge-run/munge.sock
CredType=cred/munge
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool/%n
SlurmctldPidFile=$DIR/run/slurmctld.daemon.pid
SlurmdPidFile=$DIR/run/slurmd.daemon.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
ProctrackType=proctrack/pgid
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$DIR/log/jobcomp.txt
MpiDefault=none
MailProg=/bin/true
SwitchType=switch/none
ReturnToService=2
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
# Keep finished jobs visible to scontrol show job for 10 minutes (no accounting here).
MinJobAge=600
KillWait=2
InactiveLimit=0
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=$NODE NodeHostname=$NODE NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mib State=UNKNOWN
PartitionName=debug Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
}

start() {
    install_packages
    local created=0
    if [[ -z $DIR ]]; then
        DIR=$(mktemp -d "${TMPDIR:-/tmp}/silica-slurm.XXXXXX")
        created=1
    fi
    mkdir -p "$DIR"
    DIR=$(cd "$DIR" && pwd -P)
    export SLURM_CONF="$DIR/etc/slurm.conf"
    NODE=$(hostname -s)
    if all_running && node_idle; then
        log "already running in $DIR"
        print_exports
        return 0
    fi
    stop_daemons
    local t0=$SECONDS
    # munged checks permissions: the key (0400) in a 0700 folder, the socket in a folder
    # every user can enter (0755), parents not writable by others.
    chmod 0755 "$DIR"
    rm -rf "$DIR/state" "$DIR/spool" "$DIR/munge-run"
    mkdir -p "$DIR/etc" "$DIR/state" "$DIR/spool/$NODE" "$DIR/log" "$DIR/run" "$DIR/munge-run"
    mkdir -p -m 0700 "$DIR/munge-key"
    chmod 0700 "$DIR/munge-key"
    chmod 0755 "$DIR/munge-run"
    [[ $created == 1 ]] && touch "$DIR/run/created-by-start"
    if [[ ! -s $DIR/munge-key/munge.key ]]; then
        dd if=/dev/urandom of="$DIR/munge-key/munge.key" bs=1024 count=1 status=none
    fi
    chmod 0400 "$DIR/munge-key/munge.key"

    # Ports: from $SILICA_SLURM_PORT, else a random even port in 26000–29998, so that
    # clusters started at once (tests of two checkouts) rarely collide; a collision shows
    # as "Address already in use" and is retried on the next pair.
    local port=${SILICA_SLURM_PORT:-$((26000 + 2 * (RANDOM % 2000)))} attempt
    for ((attempt = 1; ; attempt++)); do
        while port_busy "$port" || port_busy $((port + 1)); do
            port=$((port + 2))
        done
        write_config "$port" $((port + 1))
        rm -f "$DIR"/log/* "$DIR"/munge-run/*
        spawn munged munged --foreground --force \
            --socket="$DIR/munge-run/munge.sock" \
            --key-file="$DIR/munge-key/munge.key" \
            --pid-file="$DIR/run/munged.daemon.pid" \
            --seed-file="$DIR/run/munged.seed" \
            --log-file="$DIR/log/munged.log"
        wait_for 10 "munged" test -S "$DIR/munge-run/munge.sock" || die "munged did not start"
        spawn slurmctld slurmctld -D -f "$SLURM_CONF"
        spawn slurmd slurmd -D -f "$SLURM_CONF" -N "$NODE"
        if wait_for 30 "node $NODE idle in sinfo" up_or_dead && all_running && node_idle; then
            break
        fi
        stop_daemons
        if ((attempt < 5)) && grep -qs "Address already in use" "$DIR"/log/*.out; then
            log "port $port or $((port + 1)) was taken meanwhile; trying other ports"
            port=$((port + 2))
            continue
        fi
        log "logs:"
        tail -n 20 "$DIR"/log/*.out >&2 || true
        die "the cluster did not come up (logs in $DIR/log)"
    done
    log "cluster up in $((SECONDS - t0)) s: node $NODE, $(nproc) CPUs, port $port, folder $DIR"
    print_exports
}

# Ends the daemons this folder recorded: SIGTERM to all (each takes up to 2 s to exit),
# then SIGKILL to any still alive after 10 s.
stop_daemons() {
    local name pid i pids=()
    for name in slurmd slurmctld munged; do
        if pid=$(live_pid "$name"); then
            kill -TERM "$pid" 2>/dev/null || true
            pids+=("$pid")
        fi
    done
    for ((i = 0; i < 200; i++)); do
        for pid in ${pids[@]+"${pids[@]}"}; do
            kill -0 "$pid" 2>/dev/null && break
            pid=
        done
        [[ -z ${pid:-} ]] && break
        sleep 0.05
    done
    for pid in ${pids[@]+"${pids[@]}"}; do
        if kill -0 "$pid" 2>/dev/null; then
            log "pid $pid ignored SIGTERM for 10 s; sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
    rm -f "$DIR/run/slurmd.pid" "$DIR/run/slurmctld.pid" "$DIR/run/munged.pid"
}

stop() {
    [[ -n $DIR ]] || die "stop: set SILICA_SLURM_DIR (printed by start) or pass the folder"
    [[ -d $DIR ]] || {
        log "no folder $DIR: nothing to stop"
        return 0
    }
    DIR=$(cd "$DIR" && pwd -P)
    export PATH="$PATH:/usr/sbin:/sbin" SLURM_CONF="$DIR/etc/slurm.conf"
    if live_pid slurmctld >/dev/null; then
        # Cancel every job first, so no slurmstepd or job process outlives the daemons.
        scancel --user="$(id -un)" 2>/dev/null || true
        local i
        for ((i = 0; i < 200; i++)); do
            [[ -z $(squeue -h -o %i 2>/dev/null) ]] && break
            sleep 0.05
        done
    fi
    stop_daemons
    if [[ -f $DIR/run/created-by-start ]]; then
        rm -rf "$DIR"
    fi
    log "stopped"
}

status() {
    [[ -n $DIR && -d $DIR ]] || {
        echo "not running (no folder; set SILICA_SLURM_DIR)"
        exit 3
    }
    DIR=$(cd "$DIR" && pwd -P)
    export PATH="$PATH:/usr/sbin:/sbin" SLURM_CONF="$DIR/etc/slurm.conf"
    local name pid up=0
    for name in munged slurmctld slurmd; do
        if pid=$(live_pid "$name"); then
            echo "$name: running, pid $pid"
        else
            echo "$name: not running"
            up=3
        fi
    done
    [[ $up == 0 ]] && sinfo
    exit "$up"
}

DIR=${2:-${SILICA_SLURM_DIR:-}}
case ${1:-} in
start) start ;;
stop) stop ;;
status) status ;;
*)
    echo "usage: $0 start|stop|status [folder]  (folder: default \$SILICA_SLURM_DIR)" >&2
    exit 2
    ;;
esac

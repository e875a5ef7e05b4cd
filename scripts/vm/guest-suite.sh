#!/bin/bash
# The USB path's tests, run inside the QEMU guest by scripts/vm-test (real kernel, real
# systemd-udevd, libfido2's own hidraw code). /share holds bin/keybridge (Swift standard library
# linked statically), udev-rules/ and this script; results go to /share/out. Every check prints
# PASS or FAIL with what it saw; the exit status is the number of failures (0: all passed).
set -u
# Run keybridge from the guest's disk: executed from the 9p share, every start reads the whole
# binary again (about 18 s under TCG; about 1 s from the disk).
mkdir -p /opt/keybridge && cp -r /share/bin/. /opt/keybridge/
KB=/opt/keybridge/keybridge
OUT=/share/out
export KEYBRIDGE_VKEY_DIR=/run/kb-vkeys
mkdir -p "$KEYBRIDGE_VKEY_DIR" /run/kb
passed=0
failed=0
pass() { echo "PASS $1 (${SECONDS} s)"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; shift; printf '     %s\n' "$@"; failed=$((failed + 1)); }
check() { # check NAME COMMAND… : passes when the command exits 0
  local name=$1; shift
  local output
  if output=$("$@" 2>&1); then pass "$name"; else fail "$name" "exit $?: $*" "$output"; fi
}
wait_for() { # wait_for SECONDS COMMAND…
  local until=$((SECONDS + $1)); shift
  while ! "$@" >/dev/null 2>&1; do [ $SECONDS -ge $until ] && return 1; sleep 0.1; done
}
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }
ctl() { "$KB" vkey control --socket "$1" "$2"; }

# Start a UHID key: start_key NAME SERIAL [options…]; its control socket is /run/kb/NAME.ctl.
declare -A keypid
start_key() {
  local name=$1 serial=$2; shift 2
  "$KB" vkey serve --uhid --serial "$serial" --control "/run/kb/$name.ctl" "$@" >"/run/kb/$name.log" 2>&1 &
  keypid[$name]=$!
  wait_for 60 test -S "/run/kb/$name.ctl" || { echo "the key $name did not start:"; cat "/run/kb/$name.log"; return 1; }
  udevadm settle
}
node_of() { # the hidraw node whose HID_UNIQ is SERIAL
  local serial=$1 n
  for n in /sys/class/hidraw/hidraw*; do
    if udevadm info -q property -p "$(readlink -f "$n")/device" 2>/dev/null | grep -qx "HID_UNIQ=$serial"; then
      echo "/dev/$(basename "$n")"; return 0
    fi
  done
  return 1
}

echo "guest: $(uname -r), $(udevadm --version 2>/dev/null | sed 's/^/udev /'), libfido2 $(dpkg-query -W -f '${Version}' libfido2-1)"

# 1. udev rules: installed by keybridge itself, applied by the real systemd-udevd.
check "udev install --kiosk writes both rules and creates the group" "$KB" udev install --kiosk
start_key a KB-VM-0001 --vendor-id 1209 --product-id 0001 --product-name "keybridge VM key" || exit 99
node=$(node_of KB-VM-0001) || { fail "the UHID key has a hidraw node" "$(ls -l /dev/hidraw* 2>&1)"; exit 99; }
pass "the UHID key appears as $node"
props=$(udevadm info -q property -n "$node")
tags=$(udevadm info -q all -n "$node" | grep -E '^E: (TAGS|CURRENT_TAGS)=' || true)
if echo "$props" | grep -qx 'ID_FIDO_TOKEN=1'; then pass "systemd's fido_id marks it ID_FIDO_TOKEN=1"; else fail "ID_FIDO_TOKEN" "$props"; fi
if echo "$tags" | grep -q ':uaccess:'; then pass "the seat rule tags it uaccess"; else fail "uaccess tag" "$tags"; fi
perm=$(stat -c '%G %a' "$node")
if [ "$perm" = "keybridge 660" ]; then pass "the kiosk rule gives it to group keybridge, mode 0660"; else fail "kiosk rule mode and group" "$perm"; fi
check "udev check --kiosk agrees" "$KB" udev check --kiosk
doctor=$("$KB" doctor --json 2>/dev/null)
if echo "$doctor" | python3 -c 'import json,sys; f=json.load(sys.stdin); bad=[x for x in f if x["check"] in ("udevRules","udev","hidraw") and x["status"]=="problem"]; sys.exit(1 if bad else 0)'; then
  pass "doctor finds no udev or hidraw problem"
else
  fail "doctor with the rules" "$doctor"
fi

# 2. Discovery through libfido2's hidraw code, identity from udev.
devices=$("$KB" devices --json 2>&1)
entry=$(echo "$devices" | python3 -c "
import json,sys
for d in json.load(sys.stdin):
    if d['id'] == 'hid:$node': print(d['vendorID'], d['productID'], d.get('serialNumber'), d['transport'])" 2>&1)
if [ "$entry" = "4617 1 KB-VM-0001 usb" ]; then pass "devices lists hid:$node with 1209:0001 and serial KB-VM-0001"; else fail "devices" "$entry" "$devices"; fi

# 3. fido commands over the kernel path.
cdh=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
made=$("$KB" fido make-credential --device "hid:$node" --rp vm.example --user alice --challenge "$cdh" --origin https://vm.example --json 2>/run/kb/mc.err)
cred=$(echo "$made" | json 'd["id"]' 2>/dev/null)
if [ -n "$cred" ]; then pass "make-credential over hidraw"; else fail "make-credential over hidraw" "$made" "$(cat /run/kb/mc.err)"; fi
got=$("$KB" fido get-assertion --device "hid:$node" --rp vm.example --credential "$cred" --challenge "$cdh" --origin https://vm.example --json 2>&1)
if [ "$(echo "$got" | json 'd["id"]' 2>/dev/null)" = "$cred" ]; then pass "get-assertion over hidraw"; else fail "get-assertion over hidraw" "$got"; fi
check "pin set over hidraw" env KEYBRIDGE_NEW_PIN=135790 "$KB" fido pin set --device "hid:$node"
retries=$(KEYBRIDGE_PIN=135790 "$KB" fido pin retries --device "hid:$node" --json 2>&1)
if echo "$retries" | grep -q '8'; then pass "pin retries over hidraw"; else fail "pin retries" "$retries"; fi
check "discoverable make-credential with the PIN" env KEYBRIDGE_PIN=135790 "$KB" fido make-credential --device "hid:$node" --rp vm.example --user bob --resident-key --challenge "$cdh" --origin https://vm.example --json
creds=$(KEYBRIDGE_PIN=135790 "$KB" fido credentials list --device "hid:$node" --json 2>&1)
if echo "$creds" | grep -q 'vm.example'; then pass "credentials list over hidraw"; else fail "credentials list" "$creds"; fi
check "set-min-length (authenticatorConfig) over hidraw" env KEYBRIDGE_PIN=135790 "$KB" fido pin set-min-length 6 --device "hid:$node"
check "reset over hidraw" "$KB" fido reset --yes --device "hid:$node"

# 4. Waiting for a touch: keep-alives through the kernel, the prompt, and Ctrl-C reaching the key.
ctl /run/kb/a.ctl '{"cmd":"presence","mode":"wait"}' >/dev/null
"$KB" fido make-credential --device "hid:$node" --rp vm.example --user carol --challenge "$cdh" --origin https://vm.example --json >/run/kb/wait.out 2>/run/kb/wait.err &
waiter=$!
if wait_for 30 grep -q 'Touch your security key' /run/kb/wait.err; then pass "the touch prompt while the key waits"; else fail "touch prompt" "$(cat /run/kb/wait.err)"; fi
sleep 1.5
ctl /run/kb/a.ctl '{"cmd":"touch"}' >/dev/null
if wait "$waiter" && grep -q '"id"' /run/kb/wait.out; then pass "a touch after 1.5 s of keep-alives completes the request"; else fail "touch completes" "$(cat /run/kb/wait.out /run/kb/wait.err)"; fi
"$KB" fido make-credential --device "hid:$node" --rp vm.example --user dave --challenge "$cdh" --origin https://vm.example >/dev/null 2>/run/kb/cancel.err &
waiter=$!
wait_for 30 grep -q 'Touch your security key' /run/kb/cancel.err
kill -INT "$waiter"
wait "$waiter"; status=$?
if [ "$status" = 130 ]; then pass "Ctrl-C ends a waiting request with exit 130"; else fail "Ctrl-C" "exit $status" "$(cat /run/kb/cancel.err)"; fi
ctl /run/kb/a.ctl '{"cmd":"presence","mode":"approve"}' >/dev/null
start=$(date +%s.%N)
info=$("$KB" info --device "hid:$node" --json 2>&1)
took=$(python3 -c "import time; print(round(time.time() - $start, 2))")
if echo "$info" | grep -q aaguid && python3 -c "import sys; sys.exit(0 if $took < 10 else 1)"; then
  pass "the cancel reached the key: it answers at once afterwards (${took} s)"
else
  fail "key free after cancel" "took ${took} s" "$info"
fi

# 5. Hotplug: devices --watch sees the key leave and come back; a request cut by unplugging is named.
"$KB" devices --watch --json >/run/kb/watch.out 2>&1 &
watcher=$!
wait_for 30 grep -q '"present"' /run/kb/watch.out
ctl /run/kb/a.ctl '{"cmd":"unplug"}' >/dev/null
wait_for 30 grep -q '"removed"' /run/kb/watch.out && pass "devices --watch reports the key removed" || fail "watch removed" "$(cat /run/kb/watch.out)"
ctl /run/kb/a.ctl '{"cmd":"plug"}' >/dev/null
udevadm settle
wait_for 30 grep -q '"added"' /run/kb/watch.out && pass "devices --watch reports the key added again" || fail "watch added" "$(cat /run/kb/watch.out)"
kill "$watcher" 2>/dev/null; wait "$watcher" 2>/dev/null
node=$(node_of KB-VM-0001) || fail "the key is back" "$(ls /dev/hidraw*)"
ctl /run/kb/a.ctl '{"cmd":"presence","mode":"wait"}' >/dev/null
"$KB" fido make-credential --device "hid:$node" --rp vm.example --user erin --challenge "$cdh" --origin https://vm.example --json >/run/kb/pull.out 2>&1 &
waiter=$!
sleep 1
ctl /run/kb/a.ctl '{"cmd":"unplug"}' >/dev/null
wait "$waiter"; status=$?
if [ "$status" -ne 0 ] && [ "$status" -ne 130 ] && grep -q '"code"\|error' /run/kb/pull.out; then
  pass "a key pulled mid-request ends it with a named error (exit $status)"
else
  fail "pulled mid-request" "exit $status" "$(cat /run/kb/pull.out)"
fi
ctl /run/kb/a.ctl '{"cmd":"presence","mode":"approve"}' >/dev/null
ctl /run/kb/a.ctl '{"cmd":"plug"}' >/dev/null
udevadm settle
node=$(node_of KB-VM-0001)

# 6. Misbehaving keys over the kernel path (the faults the NFC path is tested with).
for fault in garbage wrongChannel truncatedCBOR closeMidMessage; do
  ctl /run/kb/a.ctl "{\"cmd\":\"fault\",\"kind\":\"$fault\"}" >/dev/null
  out=$(timeout 60 "$KB" info --device "hid:$node" --json --timeout 3 2>&1); status=$?
  if [ "$status" -ne 0 ] && [ "$status" -ne 124 ] && echo "$out" | grep -q '"error"'; then
    pass "fault $fault ends in a typed error (exit $status)"
  else
    fail "fault $fault" "exit $status" "$out"
  fi
  "$KB" info --device "hid:$node" >/dev/null 2>&1 || true
done

# 7. Enrolment into the directory with a USB key, then pam_u2f signs in with it.
export KEYBRIDGE_DIRECTORY=/run/kb/directory.sqlite
cat >/run/kb/policy.json <<'EOF'
{"relyingParty": {"id": "contoso.com"}, "origin": "https://login.contoso.com",
 "authenticationMethods": {"enabled": {"fido2SecurityKey": {}}}}
EOF
admin() { "$KB" admin "$@" --admin it@contoso.com --client-address 10.0.0.1; }
check "a tenant" admin tenant add --id contoso --name Contoso --policy-file /run/kb/policy.json
check "a user" admin user add --upn dana@contoso.com --display-name "Dana Scully" --home-tenant contoso
pass_=$(admin tap issue --user dana@contoso.com --json | json 'd["pass"]')
"$KB" fido reset --yes --device "hid:$node" >/dev/null 2>&1
added=$(KEYBRIDGE_TAP=$pass_ KEYBRIDGE_NEW_PIN=246810 "$KB" security-info add security-key --user dana@contoso.com --device "hid:$node" --client-address 10.1.2.3 --json 2>&1)
if [ $? -eq 0 ]; then pass "security-info add security-key with the USB key"; else fail "security-info add security-key" "$added"; fi
check "export pam-u2f for login alice" "$KB" export pam-u2f --user dana@contoso.com --login alice --file /etc/u2f_mappings
echo "auth required pam_u2f.so authfile=/etc/u2f_mappings origin=contoso.com" >/etc/pam.d/kbtest
pam=$(timeout 60 pamtester kbtest alice authenticate 2>&1)
if [ $? -eq 0 ]; then pass "pam_u2f signs alice in with the enrolled UHID key"; else fail "pam_u2f with the enrolled key" "$pam"; fi
ctl /run/kb/a.ctl '{"cmd":"unplug"}' >/dev/null
start_key b KB-VM-0002
pam=$(timeout 60 pamtester kbtest alice authenticate 2>&1)
if [ $? -ne 0 ]; then pass "pam_u2f refuses a key that is not in alice's line"; else fail "pam_u2f with another key" "$pam"; fi
kill "${keypid[b]}"; wait "${keypid[b]}" 2>/dev/null
ctl /run/kb/a.ctl '{"cmd":"plug"}' >/dev/null
udevadm settle
node=$(node_of KB-VM-0001)

# 8. The rig over real hidraw: the conformance suite through the kernel, power cycles by hook.
rig=$("$KB" rig run --devices "hid:$node" --allow-reset --json "$OUT/rig-hidraw.json" \
  --power-hook "$KB vkey control --socket /run/kb/a.ctl '{\"cmd\":\"powerCycle\"}'" 2>&1); status=$?
if [ $status -eq 0 ]; then pass "keybridge rig: the conformance suite passes over hidraw"; else fail "rig over hidraw" "$rig"; fi

# 9. Latency: the same key core over hidraw and over the HID socket (one process serves both).
kill "${keypid[a]}"; wait "${keypid[a]}" 2>/dev/null
"$KB" vkey serve --uhid --serial KB-VM-0003 --hid-socket /run/kb/c.sock >/run/kb/c.log 2>&1 &
keypid[c]=$!
wait_for 60 test -S /run/kb/c.sock.ctl; udevadm settle
node=$(node_of KB-VM-0003)
"$KB" bench --device "hid:$node" --iterations 200 --json >"$OUT/bench-hidraw.json" 2>/dev/null && \
"$KB" bench --device "vkey:/run/kb/c.sock" --iterations 200 --json >"$OUT/bench-socket.json" 2>/dev/null && \
  pass "latency over hidraw and over the socket measured" || fail "bench" "$(cat /run/kb/c.log)"
kill "${keypid[c]}"; wait "${keypid[c]}" 2>/dev/null

# 10. The HR-onboarding kiosk enrols a USB key that is plugged in when it asks (tmux as the terminal).
export KEYBRIDGE_DIRECTORY=/run/kb/kiosk.sqlite
cat >/run/kb/kiosk-policy.json <<'EOF'
{"relyingParty": {"id": "contoso.com", "name": "Contoso"}, "origin": "https://login.contoso.com",
 "authenticationMethods": {"enabled": {"fido2SecurityKey": {}}, "fido2": {"requireResidentKey": true},
   "temporaryAccessPass": {"lifetimeMinutes": 60, "oneTime": true}},
 "registrationAccess": {"allowedNetworks": ["10.0.0.0/8"], "trustedDevices": ["hr-kiosk-1"], "requireMFA": true}}
EOF
admin tenant add --id contoso --name Contoso --policy-file /run/kb/kiosk-policy.json >/dev/null
admin user add --upn hr@contoso.com --display-name "HR Desk" --home-tenant contoso --group kiosk-operators >/dev/null
admin user add --upn dana@contoso.com --display-name "Dana Scully" --home-tenant contoso >/dev/null
operator_pass=$(admin tap issue --user hr@contoso.com --json | json 'd["pass"]')
screen() { tmux capture-pane -p -t kiosk 2>/dev/null; }
wait_screen() { wait_for "${2:-60}" sh -c "tmux capture-pane -p -t kiosk | grep -q \"$1\""; }
type_line() { tmux send-keys -t kiosk -l "$1"; tmux send-keys -t kiosk Enter; }
tmux new-session -d -s kiosk -x 120 -y 45 \
  "$KB kiosk --kiosk-name hr-kiosk-1 --receipts /run/kb/receipts --timeout 60 --client-address 10.1.2.3; echo \"[exited \$?]\"; sleep 600"
kiosk_ok=1
step() { wait_screen "$1" "${2:-60}" || { kiosk_ok=0; fail "kiosk: waiting for \"$1\"" "$(screen)"; }; }
step "Operator (user principal name):"; type_line hr@contoso.com
step "One-time code or Temporary Access Pass"; type_line "$operator_pass"
step "New hire (user principal name)"; type_line dana@contoso.com
step "Temporary Access Pass (not shown"; type_line ""
step "Insert the security key"
start_key e KB-VM-0005
step "choose a PIN for your key"
if screen | grep -q KB-VM-0005; then pass "the kiosk names the plugged-in USB key by its serial number"; else fail "kiosk shows the serial" "$(screen)"; fi
type_line 246810
step "Type the PIN again"; type_line 246810
step "security key is registered" 120
step "Remove the key"
kill "${keypid[e]}"; wait "${keypid[e]}" 2>/dev/null
type_line ""
step "New hire (user principal name)"; type_line quit
step "exited 0"
tmux kill-session -t kiosk 2>/dev/null
receipt=$(tail -n 1 /run/kb/receipts/enrollments.csv 2>/dev/null)
if [ "$kiosk_ok" = 1 ] && echo "$receipt" | grep -q '^[^,]*,dana@contoso.com,contoso,.*,KB-VM-0005,'; then
  pass "the kiosk enrolled dana with the USB key: $(echo "$receipt" | cut -d, -f2,6)"
else
  fail "kiosk enrolment over USB" "$receipt"
fi
stored=$(KEYBRIDGE_TAP="$(admin tap issue --user dana@contoso.com --json | json 'd["pass"]')" "$KB" security-info list --user dana@contoso.com --client-device hr-kiosk-1 --json 2>&1)
if echo "$stored" | grep -q -i fido2; then pass "the directory holds dana's key"; else fail "kiosk: the directory" "$stored"; fi

# 11. Without the rules, a user cannot open the node, and doctor says so and how to fix it.
rm -f /etc/udev/rules.d/70-keybridge.rules /etc/udev/rules.d/71-keybridge-kiosk.rules
udevadm control --reload
start_key d KB-VM-0004
node=$(node_of KB-VM-0004)
udevadm trigger --action=change "$node"; udevadm settle
perm=$(stat -c '%U %G %a' "$node")
listed=$(su alice -s /bin/sh -c "$KB devices --json" 2>&1)
if echo "$listed" | grep -q "hid:$node"; then fail "alice cannot see the key without the rules" "$perm" "$listed"; else pass "without the rules alice cannot open $node ($perm)"; fi
doctor=$(su alice -s /bin/sh -c "$KB doctor --json" 2>&1)
if echo "$doctor" | grep -q 'keybridge udev install'; then pass "doctor tells alice how to fix it"; else fail "doctor without the rules" "$doctor"; fi
check "udev check reports the missing rules (exit 1)" sh -c "! $KB udev check"

echo "RESULT $passed passed, $failed failed"
exit $failed

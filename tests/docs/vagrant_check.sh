#!/usr/bin/env bash
# The Vagrant lab (vagrant/) without Vagrant: the Vagrantfile parses (`ruby -c`) and,
# evaluated against a small stand-in for Vagrant's configuration API, defines the
# three VMs hub, spoke1 and spoke2 on the Debian 12 box with libvirt and VirtualBox
# settings, each provisioned by a script that exists; the provisioners' options are
# ones their scripts accept, and the addresses are the ones the VM scenario
# (tests/vm/scenarios/vagrant_topology.sh) tests. The provisioning scripts pass
# shellcheck when it is installed. Skips (77) without ruby.
#
#   vagrant_check.sh [SOURCE_DIR]
set -euo pipefail
src=${1:-${ANSWERD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}}
vf=$src/vagrant/Vagrantfile
command -v ruby >/dev/null || { echo "vagrant_check: SKIP: needs ruby (Debian package ruby) to parse $vf"; exit 77; }
ruby -c "$vf" >/dev/null || { echo "vagrant_check: FAIL: ruby -c $vf" >&2; exit 1; }

# The stand-in records every VM, network, provider block and provisioner; prints JSON.
vms=$(cd "$src/vagrant" && ruby -rjson - "$vf" <<'RUBY'
class Rec
  attr_reader :data
  def initialize(data = {}) = @data = data
  def method_missing(name, *args, **kw, &blk)
    key = name.to_s
    if key.end_with?("=")
      @data[key.chomp("=")] = args.first
    elsif blk.nil? && args.empty? && kw.empty?
      @data[key] ||= Rec.new
    else
      (@data["calls"] ||= []) << { "name" => key, "args" => args, "kw" => kw }
      blk&.call(*Array.new([blk.arity, 0].max) { Rec.new })
      self
    end
  end
  def respond_to_missing?(*) = true
  def to_h = @data.transform_values { |v| v.is_a?(Rec) ? v.to_h : v }
end
class VmRec < Rec
  attr_reader :providers
  def initialize = super({}) && (@providers = {})
  def provider(name, &blk)
    r = Rec.new
    blk.call(r)
    @providers[name.to_s] = r.to_h
  end
end
class ConfigRec
  attr_reader :vms, :vm
  def initialize
    @vms = {}
    @vm = VmRec.new
    @vm.define_singleton_method(:define) do |name, **_opts, &blk|
      node = Struct.new(:vm).new(VmRec.new)
      blk.call(node)
      (@owner_vms ||= {})[name.to_s] = node.vm
    end
  end
end
module Vagrant
  def self.configure(version)
    raise "config version #{version}" unless version == "2"
    $config = ConfigRec.new
    yield $config
  end
end
load ARGV[0]
top = $config.vm
out = top.instance_variable_get(:@owner_vms).to_h do |name, vm|
  d = vm.to_h
  provs = (d["calls"] || []).select { |c| c["name"] == "provision" }.map { |c| c["kw"] }
  nets = (d["calls"] || []).select { |c| c["name"] == "network" }.map { |c| c["kw"][:ip] }
  [name, { "box" => top.to_h["box"], "hostname" => d["hostname"], "ips" => nets,
           "providers" => vm.providers, "provision" => provs }]
end
puts JSON.generate(out)
RUBY
) || { echo "vagrant_check: FAIL: evaluating $vf" >&2; exit 1; }

python3 - "$src" "$vms" <<'PY'
import json, os, re, sys
src, vms = sys.argv[1], json.loads(sys.argv[2])
bad = []
if sorted(vms) != ["hub", "spoke1", "spoke2"]:
    bad.append(f"VMs {sorted(vms)}, want hub, spoke1, spoke2")
scenario = open(os.path.join(src, "tests/vm/scenarios/vagrant_topology.sh")).read()
for name, vm in vms.items():
    if vm["box"] != "debian/bookworm64":
        bad.append(f"{name}: box {vm['box']}")
    if sorted(vm["providers"]) != ["libvirt", "virtualbox"]:
        bad.append(f"{name}: providers {sorted(vm['providers'])}")
    for p, s in vm["providers"].items():
        if not s.get("memory") or not s.get("cpus"):
            bad.append(f"{name}: {p} without memory/cpus: {s}")
    if len(vm["ips"]) != 1 or vm["ips"][0] not in scenario:
        bad.append(f"{name}: private network {vm['ips']} is not the scenario's")
    if len(vm["provision"]) != 1:
        bad.append(f"{name}: {len(vm['provision'])} provisioners")
        continue
    p = vm["provision"][0]
    script = os.path.join(src, "vagrant", p["path"])
    if not os.access(script, os.X_OK):
        bad.append(f"{name}: provisioner {p['path']} missing or not executable")
        continue
    text = open(script).read()
    args = p["args"]
    for opt in [a for a in args if a.startswith("--")]:
        if not re.search(r"^\s*" + re.escape(opt) + r"\)", text, re.M):
            bad.append(f"{name}: {p['path']} does not accept {opt}")
    for a in args:  # every subnet and address handed over is one the scenario uses
        for tok in re.findall(r"\d+\.\d+\.\d+\.\d+(?:/\d+)?", a):
            if tok.split("/")[0] not in scenario and tok not in scenario:
                bad.append(f"{name}: {tok} is not in vagrant_topology.sh")
for b in bad:
    print("vagrant_check: FAIL:", b, file=sys.stderr)
print(f"vagrant_check: {len(vms)} VMs:", ", ".join(f"{n} {v['ips']}" for n, v in sorted(vms.items())))
sys.exit(1 if bad else 0)
PY
if command -v shellcheck >/dev/null; then
  shellcheck -x "$src"/vagrant/provision/*.sh || { echo "vagrant_check: FAIL: shellcheck vagrant/provision" >&2; exit 1; }
  echo "vagrant_check: shellcheck clean"
else
  echo "vagrant_check: shellcheck not installed: provisioning scripts not linted"
fi
echo "vagrant_check: Vagrantfile and provisioning scripts check out"

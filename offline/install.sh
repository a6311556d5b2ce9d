#!/usr/bin/env bash
# 文档问答助手 · 离线安装（不需要网络，也不需要编译器）
#   bash install.sh                 安装到本文件夹
#   bash install.sh /opt/文档助手    安装、更新或修复到另一个文件夹
# 再次运行即可修复损坏或中断的安装。更新时保留资料库（index/，含上传的文件）、登录名单和 assistant.toml。
# 每一种错误都只说一行中文并以非零状态退出（退出码见《离线安装说明.md》），已安装的内容不会丢失。
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # started as `sh install.sh`: rerun under bash
set -uo pipefail
export LC_ALL=C.UTF-8 LANG=C.UTF-8
umask 022

BUNDLE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
START=$(date +%s)

fail() {  # fail CODE 原因……
  local code=$1
  shift
  printf '安装失败：%s\n' "$*" >&2
  exit "$code"
}
step() { printf '[%s/7] %s\n' "$1" "$2"; }

case "${1:-}" in
  -h | --help)
    sed -n '2,6p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
esac
[ $# -le 1 ] || fail 2 "参数太多：用法是 bash install.sh [目标文件夹]（目标文件夹的路径中如有空格，请加引号）"

# ---- 1. this machine and this bundle -------------------------------------------------------------
[ -r "$BUNDLE/BUNDLE.txt" ] || fail 11 "安装包不完整：缺少 BUNDLE.txt。请从原始介质重新完整复制整个文件夹"
# shellcheck source=/dev/null
. "$BUNDLE/BUNDLE.txt"
step 1 "检查本机：操作系统、处理器、Python（安装包版本 $VERSION）"
os=$(uname -s)
[ "$os" = Linux ] || fail 10 "本安装包只适用于 Linux，本机是 $os。Windows 版本见《离线安装说明.md》“不支持的平台”一节"
arch=$(uname -m)
[ "$arch" = "$ARCH" ] || fail 10 "本安装包是为 $ARCH 处理器制作的，本机是 $arch（如鲲鹏、飞腾为 aarch64）。需要为 $arch 制作的安装包，见《离线安装说明.md》“不支持的平台”一节"
flags=" $(grep -m1 -E '^(flags|Features)' /proc/cpuinfo 2>/dev/null | cut -d: -f2) "
missing=""
for f in $CPU_FLAGS; do
  case "$flags" in *" $f "*) ;; *) missing="$missing $f" ;; esac
done
[ -z "$missing" ] || fail 10 "本机处理器缺少所需的指令集（${missing# }），无法运行本安装包中的模型程序：需要支持 AVX2 和 FMA 的 x86-64 处理器（Intel 2013 年 Haswell、AMD 2015 年以后的大多数型号）"

glibc=$(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{ print $2 }')
if [ -n "${GLIBC_MIN:-}" ] && [ "$(printf '%s\n%s\n' "$GLIBC_MIN" "${glibc:-0}" | sort -V | head -1)" != "$GLIBC_MIN" ]; then
  fail 10 "本机的系统库 glibc 是 ${glibc:-未知版本}，本安装包需要 $GLIBC_MIN 以上（Debian 12、Ubuntu 22.04 及以后）。较早的系统需要在同版本系统上制作的安装包，见《离线安装说明.md》“不支持的平台”一节"
fi

PY=${PYTHON:-}
if [ -z "$PY" ]; then
  for candidate in "python$PYTHON_VERSION" python3; do
    if command -v "$candidate" >/dev/null 2>&1; then PY=$(command -v "$candidate"); break; fi
  done
fi
[ -n "$PY" ] || fail 10 "找不到 Python：需要 Python $PYTHON_VERSION（可用 PYTHON=/路径/python$PYTHON_VERSION bash install.sh 指定）"
have=$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) || fail 10 "无法运行 $PY：需要 Python $PYTHON_VERSION（可用 PYTHON=/路径/python$PYTHON_VERSION bash install.sh 指定）"
[ "$have" = "$PYTHON_VERSION" ] || fail 10 "需要 Python $PYTHON_VERSION，$PY 是 $have。请安装 Python $PYTHON_VERSION，或用 PYTHON=/路径/python$PYTHON_VERSION bash install.sh 指定"
"$PY" -c 'import venv' 2>/dev/null || fail 10 "$PY 缺少 venv 模块：请安装 python$PYTHON_VERSION-venv（或完整的 Python $PYTHON_VERSION）"

# ---- 2. the bundle arrived whole ------------------------------------------------------------------
gb() { awk -v mb="$1" 'BEGIN { printf "%.1f", mb / 1024 }'; }
step 2 "核对安装包的每个文件（SHA256SUMS，共 $(gb "$BUNDLE_MB") GB，需要十几秒）"
[ -r "$BUNDLE/SHA256SUMS" ] || fail 11 "安装包不完整：缺少 SHA256SUMS。请从原始介质重新完整复制整个文件夹"
bad=$(cd "$BUNDLE" && sha256sum --quiet -c SHA256SUMS 2>/dev/null | grep -E ': FAILED' || true)
if [ -n "$bad" ]; then
  n=$(printf '%s\n' "$bad" | wc -l)
  first=$(printf '%s\n' "$bad" | head -1)
  file=${first%: FAILED*}
  case "$first" in
    *"FAILED open or read"*) what="缺少 $file" ;;
    *) what="$file 的内容与原件不符" ;;
  esac
  fail 11 "安装包不完整或已损坏：$what（共 $n 个文件有问题）。请从原始介质重新完整复制整个文件夹后再运行"
fi

# ---- 3. where it goes, and room for it -------------------------------------------------------------
TARGET=${1:-$BUNDLE}
mkdir -p "$TARGET" 2>/dev/null || fail 12 "无法创建目标文件夹 $TARGET：请检查路径和写入权限"
TARGET=$(cd "$TARGET" && pwd -P)
[ -w "$TARGET" ] || fail 12 "没有写入 $TARGET 的权限：请换一个文件夹，或请管理员授权"
exec 9>"$TARGET/.install.lock" || fail 12 "无法写入 $TARGET：请检查写入权限"
if command -v flock >/dev/null 2>&1; then
  flock -n 9 || fail 12 "另一个安装正在向 $TARGET 安装：请等它结束后再运行"
fi
trap 'rm -f "$TARGET/.install.lock"' EXIT
RT="$TARGET/runtime"
mkdir -p "$RT"
current=$(readlink "$RT/current" 2>/dev/null || true)
for d in "$RT"/* "$RT"/.current.* "$RT/.tmp"; do  # leftovers of an interrupted run: never the live runtime
  [ -e "$d" ] || [ -L "$d" ] || continue
  name=$(basename "$d")
  [ "$name" = current ] || [ "$name" = "$current" ] || rm -rf "$d"
done
[ -d "$TARGET/models" ] && find "$TARGET/models" -name '*.partial' -type f -delete
step 3 "检查磁盘空间（安装到 $TARGET）"
need=$((RUNTIME_MB + 300))
if [ "$TARGET" != "$BUNDLE" ]; then
  while read -r _ rel; do  # models not yet in place (or different) will be copied
    if [ ! -f "$TARGET/$rel" ] || [ "$(stat -c %s "$TARGET/$rel")" != "$(stat -c %s "$BUNDLE/$rel")" ]; then
      need=$((need + $(stat -c %s "$BUNDLE/$rel") / 1048576 + 1))
    fi
  done < <(grep -E '  models/' "$BUNDLE/SHA256SUMS")
fi
avail=$(df -Pm "$TARGET" | awk 'NR == 2 { print $4 }')
if [ "${avail:-0}" -lt "$need" ]; then
  fail 12 "磁盘空间不足：需要约 $(gb "$need") GB，$TARGET 所在的磁盘只剩 $(gb "$avail") GB。请清理空间，或安装到其他位置：bash install.sh /其他/文件夹"
fi

# ---- 4. models: copied and checked file by file (a file is only ever replaced whole) -----------------
step 4 "放置模型文件"
mkdir -p "$TARGET/models" "$TARGET/index"
if [ "$TARGET" != "$BUNDLE" ]; then
  while read -r digest rel; do
    dst="$TARGET/$rel"
    if [ -f "$dst" ] && [ "$(stat -c %s "$dst")" = "$(stat -c %s "$BUNDLE/$rel")" ] &&
      [ "$(sha256sum "$dst" | cut -d' ' -f1)" = "$digest" ]; then
      continue
    fi
    mkdir -p "$(dirname "$dst")"
    cp -p "$BUNDLE/$rel" "$dst.partial" 2>/dev/null || { rm -f "$dst.partial"; fail 12 "复制模型文件 $rel 失败（磁盘已满或没有写入权限）：已安装的内容未改动"; }
    [ "$(sha256sum "$dst.partial" | cut -d' ' -f1)" = "$digest" ] || { rm -f "$dst.partial"; fail 12 "复制后的 $rel 与原件不符（磁盘可能有坏道）：请再运行一次"; }
    mv -f "$dst.partial" "$dst"
  done < <(grep -E '  models/' "$BUNDLE/SHA256SUMS")
fi
grep -E '  models/' "$BUNDLE/SHA256SUMS" | sed 's/^[0-9a-f]*  //' >"$TARGET/models/.bundled"  # for uninstall.sh

# ---- 5. the runtime: a fresh virtual environment from the bundled wheels, switched to only when it works ----
step 5 "安装程序和依赖（约 1 分钟，不联网）"
NEW="$VERSION-$(date +%Y%m%d-%H%M%S)"
LOG="$TARGET/install.log"
{
  echo "== install $VERSION from $BUNDLE into $TARGET, $(date)"
  echo "python: $PY ($have)"
} >"$LOG"
"$PY" -m venv --without-pip "$RT/$NEW" >>"$LOG" 2>&1 || { rm -rf "$RT/$NEW"; fail 13 "无法创建 Python 虚拟环境（详情见 $LOG）：请确认 $PY 可用且磁盘未满"; }
pip_wheel=$(ls "$BUNDLE"/wheels/pip-*.whl 2>/dev/null | head -1)
[ -n "$pip_wheel" ] || fail 11 "安装包不完整：wheels/ 中缺少 pip。请从原始介质重新完整复制整个文件夹"
mkdir -p "$RT/.tmp"
# only the bundled wheels: no index, no configuration files, no building from source
if ! env $(env | sed -n 's/^\(PIP_[A-Z_]*\)=.*/-u \1/p') PIP_CONFIG_FILE=/dev/null PIP_NO_INPUT=1 \
  PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONNOUSERSITE=1 TMPDIR="$RT/.tmp" \
  "$RT/$NEW/bin/python" "$pip_wheel/pip" install --no-index --find-links "$BUNDLE/wheels" --only-binary :all: \
  --no-cache-dir --progress-bar off pip "$PROJECT==$VERSION" >>"$LOG" 2>&1; then
  rm -rf "$RT/$NEW" "$RT/.tmp"
  if grep -q 'No space left' "$LOG"; then fail 12 "安装依赖时磁盘已满（详情见 $LOG）：请清理空间后再运行；已安装的内容未改动"; fi
  fail 13 "安装依赖失败（详情见 $LOG 的最后几行）：已安装的内容未改动，可以再运行一次"
fi
rm -rf "$RT/.tmp"

# ---- 6. the launcher, settings and guide; then the self-check on the new runtime ------------------------
step 6 "自检：模型校验、在本机试运行两个模型（约 20 秒）"
cat >"$TARGET/assistant" <<'LAUNCHER'
#!/usr/bin/env bash
# 文档问答助手的命令入口（由 install.sh 写入，更新时重写）。用法：./assistant --help
HERE=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd -P)
if [ ! -x "$HERE/runtime/current/bin/python" ]; then
  echo "文档问答助手尚未安装完成：请运行安装包中的 bash install.sh $HERE" >&2
  exit 1
fi
export ASSISTANT_HOME="$HERE"
exec "$HERE/runtime/current/bin/python" -m assistant.cli "$@"
LAUNCHER
chmod 755 "$TARGET/assistant"
if [ ! -e "$TARGET/assistant.toml" ]; then
  cat >"$TARGET/assistant.toml" <<'TOML'
# 文档问答助手的设置（可选）。去掉行首的 # 即可生效；所有设置项见 ./assistant --help 和 README。
# 更新安装时这个文件会保留。
# top_k = 5                 # 每个问题检索的段落数
# n_threads = 0             # 使用的 CPU 线程数（0：本机的物理核心数）
# chat_model = "models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
TOML
fi
if [ "$TARGET" != "$BUNDLE" ]; then
  rm -rf "$TARGET/samples"
  cp -r "$BUNDLE/samples" "$TARGET/samples"
  cp "$BUNDLE/离线安装说明.md" "$BUNDLE/uninstall.sh" "$TARGET/"
fi
check="$TARGET/selfcheck.log"
# problems in Chinese (the doctor's language follows LC_MESSAGES once LC_ALL is empty)
ASSISTANT_HOME="$TARGET" LC_ALL= LC_MESSAGES=zh_CN.UTF-8 PYTHONUTF8=1 \
  "$RT/$NEW/bin/python" -m assistant.cli doctor --smoke >"$check" 2>&1
rc=$?
cat "$check" >>"$LOG"
if [ $rc -ne 0 ]; then
  rm -rf "$RT/$NEW"
  [ $rc -eq 132 ] && fail 14 "模型程序在本机处理器上无法运行（illegal instruction）：请把 /proc/cpuinfo 中的 flags 一行发给技术支持"
  fail 14 "自检未通过：$(grep -m1 -E 'PROBLEM|sha256|missing|NOT INSTALLED|error' "$check" || tail -1 "$check")（全文见 $check）；原有安装未改动"
fi
ln -sfn "$NEW" "$RT/.current.new" && mv -T "$RT/.current.new" "$RT/current" ||
  fail 13 "无法切换到新版本（$RT）：请再运行一次"
[ -z "$current" ] || [ "$current" = "$NEW" ] || rm -rf "${RT:?}/$current"

# ---- 7. leftovers of an older bundle that was installed in place, then what to do next -------------------
if [ "$TARGET" != "$BUNDLE" ] && [ -f "$TARGET/BUNDLE.txt" ]; then
  rm -rf "$TARGET/wheels" "$TARGET/SHA256SUMS" "$TARGET/install.sh" "$TARGET/BUNDLE.txt"
fi
printf 'VERSION=%s\nINSTALLED=%s\nPYTHON=%s\nFROM=%s\n' "$VERSION" "$(date -Iseconds)" "$PY" "$BUNDLE" >"$TARGET/INSTALLED.txt"
step 7 "完成：版本 $VERSION 已安装到 $TARGET（用时 $(( $(date +%s) - START )) 秒）"
indexes=$(grep -c '^index ' "$check" || true)
if grep -q 'PROBLEM' "$check"; then
  echo "注意：已有资料库需要处理（资料库本身未改动）："
  awk '/^index / { folder = $2 } /PROBLEM: / { sub(/.*PROBLEM: /, ""); print "  " folder "：" $0 }' "$check"
fi
cat <<EOF

开始使用（两条命令）：
  1. 建立资料库（把文件夹换成您的文件所在的文件夹；先试试示例文档也可以）：
     "$TARGET/assistant" index "$TARGET/samples"
  2. 打开问答页面，然后在浏览器中访问 http://127.0.0.1:7860/ ：
     "$TARGET/assistant" serve
EOF
[ "${indexes:-0}" -eq 0 ] || echo "已有资料库 $indexes 个，已保留。"
echo "使用说明：$TARGET/离线安装说明.md"

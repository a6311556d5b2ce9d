#!/usr/bin/env bash
# 卸载文档问答助手。
#   bash uninstall.sh          删除程序（runtime/）、命令入口和随安装包提供的模型；保留资料库（index/，含上传的文件）、
#                              assistant.toml、登录名单和您自己放入 models/ 的模型
#   bash uninstall.sh --all    删除整个安装文件夹，包括资料库和所有数据（会要求输入“删除”确认）
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # started as `sh uninstall.sh`: rerun under bash
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
[ -f "$HERE/INSTALLED.txt" ] || { echo "卸载失败：$HERE 不是文档问答助手的安装文件夹（缺少 INSTALLED.txt）" >&2; exit 1; }
if [ "${1:-}" = --all ]; then
  printf '将删除 %s 及其中的全部资料库和数据，无法恢复。确认请输入“删除”：' "$HERE"
  read -r answer
  [ "$answer" = 删除 ] || { echo "已取消，什么都没有删除。"; exit 1; }
  cd / && rm -rf "$HERE" && echo "已删除 $HERE。"
  exit 0
fi
[ -z "${1:-}" ] || { echo "用法：bash uninstall.sh [--all]" >&2; exit 2; }
if [ -f "$HERE/models/.bundled" ]; then
  while read -r rel; do rm -f "$HERE/$rel"; done <"$HERE/models/.bundled"
  rm -f "$HERE/models/.bundled" "$HERE/models/.verified.json"
  find "$HERE/models" -depth -type d -empty -delete 2>/dev/null
fi
rm -rf "$HERE/runtime" "$HERE/assistant" "$HERE/wheels" "$HERE/samples" "$HERE/SHA256SUMS" "$HERE/BUNDLE.txt" \
  "$HERE/install.sh" "$HERE/INSTALLED.txt" "$HERE/selfcheck.log" "$HERE/install.log" "$HERE/.install.lock"
echo "已卸载程序和模型；资料库、设置和登录名单保留在 $HERE。重新安装：bash 新安装包/install.sh $HERE"

"""The air-gapped bundle: build.py makes it on a connected machine, install.sh installs it offline, isa.py checks
that the llama.cpp build inside runs on any x86-64 CPU with AVX2 (no AVX-512 unless behind runtime dispatch)."""

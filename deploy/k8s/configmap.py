"""Prints the ConfigMap of config/default.toml: python3 deploy/k8s/configmap.py > deploy/k8s/configmap.yaml"""
import pathlib

src = (pathlib.Path(__file__).resolve().parents[2] / "config" / "default.toml").read_text()
print("# Generated from config/default.toml (a test fails when they differ):")
print("# python3 deploy/k8s/configmap.py > deploy/k8s/configmap.yaml")
print("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: company-extract\ndata:\n  default.toml: |")
for line in src.rstrip("\n").split("\n"):
    print("    " + line if line else "")

"""`make rehearse`'s build of kube-apiserver: a module that takes every staging module from the
module proxy at the release that matches."""

from __future__ import annotations

from smartbank.deploy import rehearse

KUBERNETES_GO_MOD = """module k8s.io/kubernetes

go 1.26.0

require (
	k8s.io/api v0.0.0
	github.com/spf13/cobra v1.10.0
)

replace (
	k8s.io/api => ./staging/src/k8s.io/api
	k8s.io/pod-security-admission => ./staging/src/k8s.io/pod-security-admission
	github.com/some/fork => github.com/other/fork v1.0.0
)
"""


def test_the_staging_modules_are_the_local_replacements_only() -> None:
    staging = rehearse.staging_modules(KUBERNETES_GO_MOD)
    assert staging == ["k8s.io/api", "k8s.io/pod-security-admission"]


def test_each_staging_module_is_replaced_by_its_published_release() -> None:
    text = rehearse.go_mod("v1.37.2", ["k8s.io/api", "k8s.io/apiserver"])
    assert "require k8s.io/kubernetes v1.37.2\n" in text
    assert "replace k8s.io/api => k8s.io/api v0.37.2\n" in text
    assert "replace k8s.io/apiserver => k8s.io/apiserver v0.37.2\n" in text
    assert "./staging" not in text

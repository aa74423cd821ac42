# Copyright 2026 srcverify developers
# Distributed under the terms of the Apache License, Version 2.0

# A trimmed dev-python ebuild showing srcverify.eclass on a PyPI sdist with
# its PEP 740 provenance: only the distfiles and src_unpack are real. Where
# pypi.eclass would set PYPI_VERIFY_REPO and trust the publisher PyPI serves,
# the Trusted Publisher here comes from srcverify's reviewed release map
# (pypi.yaml knows who publishes 0.0.19) and the trust root is the TUF pin.

EAPI=8

inherit srcverify

MY_P="${PN//-/_}-${PV}"

DESCRIPTION="Convert between Sigstore bundles and PEP 740 attestations (srcverify example)"
HOMEPAGE="https://pypi.org/project/pypi-attestations/"
SRC_URI="
	https://files.pythonhosted.org/packages/source/${PN::1}/${PN}/${MY_P}.tar.gz
	verify-sig? ( $(srcverify_pypi_provenance_uri "${MY_P}.tar.gz") )
"
S="${WORKDIR}/${MY_P}"

LICENSE="Apache-2.0"
SLOT="0"
KEYWORDS="~amd64"

# Copyright 2026 srcverify developers
# Distributed under the terms of the Apache License, Version 2.0

# A trimmed dev-lang/python ebuild showing srcverify.eclass: only the
# distfiles and src_unpack are real; configure/compile/install are omitted.

EAPI=8

inherit srcverify

MY_P="Python-${PV}"

DESCRIPTION="An interpreted, interactive, object-oriented programming language (srcverify example)"
HOMEPAGE="https://www.python.org/"
# The .sigstore bundle replaces the .asc that python.org stopped publishing
# (PEP 761). No SRCVERIFY_IDENTITY: srcverify's map knows who signs 3.13.
SRC_URI="
	https://www.python.org/ftp/python/${PV%_*}/${MY_P}.tar.xz
	verify-sig? (
		https://www.python.org/ftp/python/${PV%_*}/${MY_P}.tar.xz.sigstore
	)
"
S="${WORKDIR}/${MY_P}"

LICENSE="PSF-2"
SLOT="3.13"
KEYWORDS="~amd64"

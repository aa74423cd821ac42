# Copyright 2026 srcverify developers
# Distributed under the terms of the Apache License, Version 2.0

# @ECLASS: srcverify.eclass
# @MAINTAINER:
# srcverify developers <srcverify@invalid>
# @SUPPORTED_EAPIS: 8
# @BLURB: Verify distfiles against their Sigstore bundles, offline, with srcverify
# @DESCRIPTION:
# Verifies, in src_unpack and without network access, that each distfile
# with evidence in SRC_URI (a Sigstore bundle NAME.sigstore or
# NAME.sigstore.json, a PyPI provenance object NAME.provenance or a PEP 740
# attestation NAME.publish.attestation) is the file its upstream signed,
# then unpacks the distfiles.
#
# Who must have signed comes from srcverify's release map by the distfile's
# name (the shipped map covers every CPython release), or from
# SRCVERIFY_IDENTITY and SRCVERIFY_OIDC_ISSUER. The trust root is
# srcverify's TUF-pinned default unless SRCVERIFY_TRUST_ROOT names another pin.
#
# Like verify-sig.eclass, verification runs when USE=verify-sig is enabled
# (Manifest checksums remain the primary integrity check). It can be used
# instead of verify-sig (inherit srcverify only) or beside it: inherit
# verify-sig first, then srcverify, and srcverify_src_unpack verifies the
# Sigstore bundles itself, offline, and hands verify-sig_src_unpack only the
# other distfiles and their .asc/.sig signatures, so that no .sigstore
# bundle reaches verify-sig's OpenPGP (or online sigstore) path:
#
# @CODE
# inherit verify-sig srcverify
# @CODE
#
# For PyPI sdists this offers what pypi.eclass offers with PYPI_VERIFY_REPO,
# but pinned: the provenance is fetched as a distfile (its URL from
# srcverify_pypi_provenance_uri) and the Trusted Publisher comes from the
# reviewed release map (srcverify's pypi.yaml, or SRCVERIFY_MAP) or from
# SRCVERIFY_PUBLISHER, never from the unsigned publisher object PyPI serves;
# the trust root is the TUF-pinned one, not a cache refreshed online:
#
# @CODE
# inherit pypi srcverify
# SRC_URI="
# 	$(pypi_sdist_url)
# 	verify-sig? ( $(srcverify_pypi_provenance_uri "$(pypi_sdist_url --no-append)") )
# "
# SRCVERIFY_PUBLISHER=github:trailofbits/pypi-attestations:release.yml  # optional
# @CODE
#
# The signer: the variables Gentoo's Python ebuilds set for verify-sig,
# VERIFY_SIG_METHOD=sigstore with VERIFY_SIG_CERT_IDENTITY and
# VERIFY_SIG_CERT_OIDC_ISSUER, are honoured as an exact identity, and so are
# SRCVERIFY_IDENTITY/SRCVERIFY_OIDC_ISSUER. An explicit identity is never
# replaced by the release map's answer; settings that disagree (the two
# identities differ, an identity and SRCVERIFY_MAP, VERIFY_SIG_CERT_* with
# another VERIFY_SIG_METHOD, an identity without its issuer) die with a
# message. With no explicit identity the release map decides.
#
# Example (no identity needed: the map knows 3.13 is thomas@python.org):
#
# @CODE
# inherit srcverify
# SRC_URI="
# 	https://www.python.org/ftp/python/${PV}/Python-${PV}.tar.xz
# 	verify-sig? ( https://www.python.org/ftp/python/${PV}/Python-${PV}.tar.xz.sigstore )
# "
# @CODE

case ${EAPI} in
	8) ;;
	*) die "${ECLASS}: EAPI ${EAPI:-0} not supported" ;;
esac

if [[ -z ${_SRCVERIFY_ECLASS} ]]; then
_SRCVERIFY_ECLASS=1

IUSE="verify-sig"
BDEPEND="verify-sig? ( app-crypt/srcverify )"

# @ECLASS_VARIABLE: SRCVERIFY_IDENTITY
# @DEFAULT_UNSET
# @DESCRIPTION:
# Exact certificate identity (SAN: email or URI) the bundles must carry.
# Set together with SRCVERIFY_OIDC_ISSUER; unset to use the release map.

# @ECLASS_VARIABLE: SRCVERIFY_OIDC_ISSUER
# @DEFAULT_UNSET
# @DESCRIPTION:
# Exact OIDC issuer URL that goes with SRCVERIFY_IDENTITY.

# @ECLASS_VARIABLE: SRCVERIFY_PUBLISHER
# @DEFAULT_UNSET
# @DESCRIPTION:
# A PyPI Trusted Publisher that must have signed, in srcverify verify's
# --publisher form (github:OWNER/REPO:WORKFLOW[:ENVIRONMENT],
# gitlab[@HOST]:NAMESPACE/PROJECT:CI_FILE_PATH[:ENVIRONMENT], ...); unset to
# use the release map. Excludes SRCVERIFY_IDENTITY.

# @ECLASS_VARIABLE: SRCVERIFY_MAP
# @DEFAULT_UNSET
# @DESCRIPTION:
# A release map (YAML) to resolve signers from instead of srcverify's
# shipped map, e.g. "${FILESDIR}/srcverify-map.yaml".

# @ECLASS_VARIABLE: SRCVERIFY_TRUST_ROOT
# @DEFAULT_UNSET
# @DESCRIPTION:
# A trust-root pin directory (authenticated offline through its TUF
# metadata) instead of the pin shipped with srcverify.

# @ECLASS_VARIABLE: SRCVERIFY_TRUSTED_ROOT
# @DEFAULT_UNSET
# @DESCRIPTION:
# A trusted_root.json used as is, NOT TUF-authenticated (private Sigstore
# instances and tests). Excludes SRCVERIFY_TRUST_ROOT.

# @ECLASS_VARIABLE: SRCVERIFY_ARGS
# @DEFAULT_UNSET
# @DESCRIPTION:
# Bash array of further arguments for "srcverify verify".

# @ECLASS_VARIABLE: SRCVERIFY_MANIFEST
# @DEFAULT_UNSET
# @DESCRIPTION:
# A distfile in A that is a signed checksum manifest (goreleaser's
# checksums.txt, a SHA256SUMS), with its bundle in A: every other distfile
# (bundles aside) is then verified through it, and the manifest itself is not
# unpacked. Its signer comes from the map by its name, or the identity above.

# @ECLASS_VARIABLE: SRCVERIFY_COMMAND
# @USER_VARIABLE
# @DESCRIPTION:
# The srcverify command.
: "${SRCVERIFY_COMMAND:=srcverify}"

# @FUNCTION: _srcverify_bundle_for
# @INTERNAL
# @USAGE: <distfile>
# @DESCRIPTION:
# Print the name of the distfile's bundle in A, or nothing.
_srcverify_bundle_for() {
	local f=${1} suffix x
	for suffix in .sigstore.json .sigstore .provenance .publish.attestation; do
		for x in ${A}; do
			if [[ ${x} == "${f}${suffix}" ]]; then
				echo "${x}"
				return 0
			fi
		done
	done
}

# @FUNCTION: _srcverify_is_bundle
# @INTERNAL
# @USAGE: <distfile>
# @DESCRIPTION:
# Succeed when the distfile is evidence (bundle, provenance, attestation).
_srcverify_is_bundle() {
	[[ ${1} == *.sigstore || ${1} == *.sigstore.json || ${1} == *.provenance ||
		${1} == *.publish.attestation ]]
}

# @FUNCTION: srcverify_pypi_provenance_uri
# @USAGE: <sdist-or-wheel-url-or-name> [project] [version]
# @DESCRIPTION:
# Print the SRC_URI entry for a PyPI file's provenance object (PyPI's
# Integrity API), renamed to FILE.provenance. Project and version default to
# PYPI_PN (else PN) and PV.
srcverify_pypi_provenance_uri() {
	[[ ${#} -ge 1 && ${#} -le 3 ]] ||
		die "${FUNCNAME}: usage: ${FUNCNAME} <file> [project] [version]"
	local file=${1##*/} project=${2:-${PYPI_PN:-${PN}}} version=${3:-${PV}}
	echo "https://pypi.org/integrity/${project}/${version}/${file}/provenance -> ${file}.provenance"
}

# @FUNCTION: _srcverify_signer_args
# @INTERNAL
# @DESCRIPTION:
# Set the array _SRCVERIFY_SIGNER to the signer arguments for srcverify:
# an explicit identity (SRCVERIFY_* or verify-sig's VERIFY_SIG_CERT_*), or
# --map SRCVERIFY_MAP, or nothing (the shipped map). Dies on settings that
# disagree.
_srcverify_signer_args() {
	local id=${SRCVERIFY_IDENTITY} issuer=${SRCVERIFY_OIDC_ISSUER}
	local vs_id=${VERIFY_SIG_CERT_IDENTITY} vs_issuer=${VERIFY_SIG_CERT_OIDC_ISSUER}
	_SRCVERIFY_SIGNER=()
	if [[ -n ${id} || -n ${issuer} ]]; then
		[[ -n ${id} && -n ${issuer} ]] ||
			die "srcverify.eclass: SRCVERIFY_IDENTITY and SRCVERIFY_OIDC_ISSUER go together"
	fi
	if [[ -n ${vs_id} || -n ${vs_issuer} ]]; then
		[[ ${VERIFY_SIG_METHOD:-sigstore} == sigstore ]] ||
			die "srcverify.eclass: VERIFY_SIG_CERT_IDENTITY/VERIFY_SIG_CERT_OIDC_ISSUER are for VERIFY_SIG_METHOD=sigstore, but VERIFY_SIG_METHOD=${VERIFY_SIG_METHOD}"
		[[ -n ${vs_id} && -n ${vs_issuer} ]] ||
			die "srcverify.eclass: VERIFY_SIG_CERT_IDENTITY and VERIFY_SIG_CERT_OIDC_ISSUER go together"
		if [[ -n ${id} ]] && [[ ${id} != "${vs_id}" || ${issuer} != "${vs_issuer}" ]]; then
			die "srcverify.eclass: SRCVERIFY_IDENTITY/SRCVERIFY_OIDC_ISSUER (${id}, ${issuer}) disagree with VERIFY_SIG_CERT_IDENTITY/VERIFY_SIG_CERT_OIDC_ISSUER (${vs_id}, ${vs_issuer}); set one pair"
		fi
		id=${vs_id}
		issuer=${vs_issuer}
	elif [[ ${VERIFY_SIG_METHOD} == sigstore && -n ${_VERIFY_SIG_ECLASS} && -z ${id} ]]; then
		einfo "VERIFY_SIG_METHOD=sigstore without VERIFY_SIG_CERT_IDENTITY: the release map decides who must have signed"
	fi
	if [[ -n ${id} ]]; then
		[[ -z ${SRCVERIFY_PUBLISHER} ]] ||
			die "srcverify.eclass: set SRCVERIFY_PUBLISHER or SRCVERIFY_IDENTITY, not both"
		[[ -z ${SRCVERIFY_MAP} ]] ||
			die "srcverify.eclass: an explicit identity (${id}) and SRCVERIFY_MAP conflict: the map would not be consulted; set one"
		_SRCVERIFY_SIGNER=( --cert-identity "${id}" --cert-oidc-issuer "${issuer}" )
	elif [[ -n ${SRCVERIFY_PUBLISHER} ]]; then
		_SRCVERIFY_SIGNER=( --publisher "${SRCVERIFY_PUBLISHER}" )
	elif [[ -n ${SRCVERIFY_MAP} ]]; then
		_SRCVERIFY_SIGNER=( --map "${SRCVERIFY_MAP}" )
	fi
}

# @FUNCTION: srcverify_verify_file
# @USAGE: <file> <bundle> [<manifest>]
# @DESCRIPTION:
# Verify one file against its bundle, or through a signed checksum manifest
# and the manifest's bundle; die when it does not verify or cannot be
# checked. The release map sees the file's own name.
srcverify_verify_file() {
	debug-print-function ${FUNCNAME} "$@"
	[[ ${#} -eq 2 || ${#} -eq 3 ]] || die "${FUNCNAME}: usage: ${FUNCNAME} <file> <bundle> [<manifest>]"
	local file=${1} bundle=${2}
	local -a args=( verify --bundle "${bundle}" )
	[[ -n ${3} ]] && args+=( --manifest "${3}" )

	_srcverify_signer_args
	args+=( "${_SRCVERIFY_SIGNER[@]}" )
	if [[ -n ${SRCVERIFY_TRUST_ROOT} && -n ${SRCVERIFY_TRUSTED_ROOT} ]]; then
		die "srcverify.eclass: set SRCVERIFY_TRUST_ROOT or SRCVERIFY_TRUSTED_ROOT, not both"
	elif [[ -n ${SRCVERIFY_TRUST_ROOT} ]]; then
		args+=( --trust-root "${SRCVERIFY_TRUST_ROOT}" )
	elif [[ -n ${SRCVERIFY_TRUSTED_ROOT} ]]; then
		args+=( --trusted-root "${SRCVERIFY_TRUSTED_ROOT}" )
	fi
	args+=( "${SRCVERIFY_ARGS[@]}" "${file}" )

	einfo "Verifying ${file##*/} against ${bundle##*/} (srcverify, offline) ..."
	"${SRCVERIFY_COMMAND}" "${args[@]}" ||
		die "srcverify.eclass: ${file##*/} failed Sigstore verification (srcverify exit $?): see the message above"
}

# @FUNCTION: srcverify_verify_distfiles
# @DESCRIPTION:
# Verify every distfile in A that has a bundle in A. Dies when none has one,
# so that a SRC_URI without bundles never passes silently.
srcverify_verify_distfiles() {
	debug-print-function ${FUNCNAME} "$@"
	local f bundle verified=0 manifest=""
	if [[ -n ${SRCVERIFY_MANIFEST} ]]; then
		bundle=$(_srcverify_bundle_for "${SRCVERIFY_MANIFEST}")
		[[ -n ${bundle} ]] ||
			die "srcverify.eclass: SRCVERIFY_MANIFEST ${SRCVERIFY_MANIFEST} has no bundle in A"
		manifest=${SRCVERIFY_MANIFEST}
	fi
	for f in ${A}; do
		_srcverify_is_bundle "${f}" && continue
		if [[ -n ${manifest} ]]; then
			[[ ${f} == "${manifest}" ]] && continue
			srcverify_verify_file "${DISTDIR}/${f}" "${DISTDIR}/${bundle}" "${DISTDIR}/${manifest}"
			verified=$(( verified + 1 ))
			continue
		fi
		bundle=$(_srcverify_bundle_for "${f}")
		[[ -n ${bundle} ]] || continue
		srcverify_verify_file "${DISTDIR}/${f}" "${DISTDIR}/${bundle}"
		verified=$(( verified + 1 ))
	done
	[[ ${verified} -gt 0 ]] ||
		die "srcverify.eclass: no distfile in A has evidence (NAME.sigstore, NAME.sigstore.json, NAME.provenance or NAME.publish.attestation) beside it"
}

# @FUNCTION: _srcverify_has_openpgp_sig
# @INTERNAL
# @USAGE: <distfile>
# @DESCRIPTION:
# Succeed when A also holds an .asc or .sig signature for the distfile.
_srcverify_has_openpgp_sig() {
	local x
	for x in ${A}; do
		[[ ${x} == "${1}.asc" || ${x} == "${1}.sig" ]] && return 0
	done
	return 1
}

# @FUNCTION: _srcverify_for_verify_sig
# @INTERNAL
# @USAGE: <distfile>
# @DESCRIPTION:
# Succeed when the distfile is verify-sig's to check: an .asc/.sig signature,
# a distfile with one, or one that neither a bundle nor SRCVERIFY_MANIFEST covers.
_srcverify_for_verify_sig() {
	[[ ${1} == *.asc || ${1} == *.sig ]] && return 0
	_srcverify_has_openpgp_sig "${1}" && return 0
	[[ -z ${SRCVERIFY_MANIFEST} && -z $(_srcverify_bundle_for "${1}") ]]
}

# @FUNCTION: srcverify_src_unpack
# @DESCRIPTION:
# With USE=verify-sig, verify the distfiles that have bundles; then unpack
# every distfile that is not a bundle. When verify-sig.eclass is inherited
# too, verify-sig_src_unpack runs on the rest of A (the distfiles without a
# bundle or with an .asc/.sig as well, and those signatures), never on a
# bundle or on a distfile only a bundle signs.
srcverify_src_unpack() {
	debug-print-function ${FUNCNAME} "$@"
	use verify-sig && srcverify_verify_distfiles
	local f
	local -a ours=() rest=()
	for f in ${A}; do
		_srcverify_is_bundle "${f}" && continue
		[[ -n ${SRCVERIFY_MANIFEST} && ${f} == "${SRCVERIFY_MANIFEST}" ]] && continue
		if declare -F verify-sig_src_unpack >/dev/null && _srcverify_for_verify_sig "${f}"; then
			rest+=( "${f}" )
		else
			ours+=( "${f}" )
		fi
	done
	if declare -F verify-sig_src_unpack >/dev/null && [[ ${#rest[@]} -gt 0 ]]; then
		A="${rest[*]}" verify-sig_src_unpack
	fi
	[[ ${#ours[@]} -eq 0 ]] || unpack "${ours[@]}"
}

fi

EXPORT_FUNCTIONS src_unpack

# A test double of Gentoo's verify-sig.eclass, written for srcverify's tests.
#
# Modelled on gentoo/gentoo eclass/verify-sig.eclass at commit
# 560065ba2fa37bcf46398e1b758d9df99013e0ca (EAPI 7/8; methods openpgp and
# signify; EXPORT_FUNCTIONS src_unpack; verify-sig_verify_detached <file>
# <sig> [<key>]; verify-sig_src_unpack pairs each distfile F in A with F.asc
# or F.sig, dies on "Unsigned distfiles found" and "Unused signatures found",
# verifies each pair, then default_src_unpack), extended with the sigstore
# method of the later upstream revisions as Gentoo's tree uses it: suffix
# list ".asc .sig .sigstore", VERIFY_SIG_METHOD=sigstore,
# VERIFY_SIG_CERT_IDENTITY and VERIFY_SIG_CERT_OIDC_ISSUER, verification by
# "sigstore verify identity --offline --bundle SIG --cert-identity ID
# --cert-oidc-issuer URL FILE" (the invocation of Gentoo's
# sec-keys/sigstore trusted-root ebuild). That later revision's text was not
# available to read; its behaviour here is what the issue describes.
#
# Instead of gpg, signify or sigstore-python the double records each call in
# ${VERIFY_SIG_LOG} and decides as the real tools would on these inputs: an
# OpenPGP check of a .sigstore bundle fails (gpg finds no OpenPGP data), the
# sigstore tool is not installed in the test sandbox, and an .asc whose
# content is "good signature for NAME" verifies NAME.

case ${EAPI} in
	7|8) ;;
	*) die "${ECLASS}: EAPI ${EAPI:-0} not supported" ;;
esac

if [[ -z ${_VERIFY_SIG_ECLASS} ]]; then
_VERIFY_SIG_ECLASS=1

IUSE="verify-sig"

: "${VERIFY_SIG_METHOD:=openpgp}"

case ${VERIFY_SIG_METHOD} in
	openpgp) BDEPEND="verify-sig? ( app-crypt/gnupg >=app-portage/gemato-16 )" ;;
	signify) BDEPEND="verify-sig? ( app-crypt/signify )" ;;
	sigstore) BDEPEND="verify-sig? ( dev-python/sigstore )" ;;
	*) die "${ECLASS}: unknown method '${VERIFY_SIG_METHOD}'" ;;
esac

_verify_sig_record() {
	echo "verify-sig: $*" >>"${VERIFY_SIG_LOG:-/dev/null}"
	echo "verify-sig: $*" >&2
}

verify-sig_verify_detached() {
	local file=${1} sig=${2} key=${3:-${VERIFY_SIG_OPENPGP_KEY_PATH}}
	einfo "Verifying ${file##*/} ..."
	case ${VERIFY_SIG_METHOD} in
		openpgp)
			[[ -n ${key} ]] ||
				die "${FUNCNAME}: no key passed and VERIFY_SIG_OPENPGP_KEY_PATH unset"
			_verify_sig_record "openpgp ${file##*/} ${sig##*/}"
			[[ $(<"${sig}") == "good signature for ${file##*/}" ]] ||
				die "PGP signature verification failed"
			;;
		signify)
			_verify_sig_record "signify ${file##*/} ${sig##*/}"
			die "Signify signature verification failed"
			;;
		sigstore)
			[[ -n ${VERIFY_SIG_CERT_IDENTITY} && -n ${VERIFY_SIG_CERT_OIDC_ISSUER} ]] ||
				die "${FUNCNAME}: VERIFY_SIG_CERT_IDENTITY and VERIFY_SIG_CERT_OIDC_ISSUER required"
			_verify_sig_record "sigstore verify identity --offline --bundle ${sig##*/}" \
				"--cert-identity ${VERIFY_SIG_CERT_IDENTITY}" \
				"--cert-oidc-issuer ${VERIFY_SIG_CERT_OIDC_ISSUER} ${file##*/}"
			die "Sigstore signature verification failed (sigstore is not installed here)"
			;;
	esac
}

verify-sig_src_unpack() {
	if use verify-sig; then
		local f suffix found
		local distfiles=() signatures=() nosigfound=() straysigs=()
		for f in ${A}; do
			found=
			for suffix in .asc .sig .sigstore; do
				if [[ ${f} == *${suffix} ]]; then
					signatures+=( "${f}" )
					found=sig
					break
				elif has "${f}${suffix}" ${A}; then
					distfiles+=( "${f}" )
					found=dist+sig
					break
				fi
			done
			[[ ${found} ]] || nosigfound+=( "${f}" )
		done
		if [[ ${#nosigfound[@]} -gt 0 ]]; then
			for f in "${nosigfound[@]}"; do eerror "  ${f}"; done
			die "Unsigned distfiles found"
		fi
		for f in "${signatures[@]}"; do
			has "${f%.*}" "${distfiles[@]}" || straysigs+=( "${f}" )
		done
		if [[ ${#straysigs[@]} -gt 0 ]]; then
			for f in "${straysigs[@]}"; do eerror "  ${f}"; done
			die "Unused signatures found"
		fi
		for f in "${signatures[@]}"; do
			verify-sig_verify_detached "${DISTDIR}/${f%.*}" "${DISTDIR}/${f}"
		done
	fi
	default_src_unpack
}

fi

EXPORT_FUNCTIONS src_unpack

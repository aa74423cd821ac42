#!/usr/bin/perl
# debhelper sequence addon: Build-Depends: dh-sequence-srcverify (or dh --with srcverify)
# runs dh_srcverify, which verifies the upstream tarball against its Sigstore
# bundle, first in the build sequence, before anything touches the sources.
use strict;
use warnings;
use Debian::Debhelper::Dh_Lib;

insert_before('dh_update_autotools_config', 'dh_srcverify');

1;

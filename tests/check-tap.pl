#!/usr/bin/perl
# SPDX-License-Identifier: GPL-2.0-only
#
# check-tap.pl TAPFILE - is a boot's TAP block (RINGBUS-TAP-BEGIN/-END
# markers included) a TAP 13 stream whose plan its test lines meet, as
# Perl's TAP::Parser (what prove uses) reads it?  Prints "ran N of a plan
# of M, S skipped" and exits 0, or prints each problem and exits 1: no
# version line or another version, no plan, a count other than the plan,
# numbers out of sequence, a line TAP::Parser cannot parse.
use strict;
use warnings;
use TAP::Parser;

my $file = shift or die "usage: check-tap.pl TAPFILE\n";
open my $fh, '<', $file or die "check-tap.pl: $file: $!\n";
my $tap = join '', grep { !/^RINGBUS-TAP-(BEGIN|END)$/ } <$fh>;
close $fh;
my $p = TAP::Parser->new({ tap => $tap });
while (defined $p->next) { }
my @problems = $p->parse_errors;
my $version = $p->version // 0;
push @problems, "TAP version $version, not 13 (no \"TAP version 13\" line first?)"
	unless $version == 13;
push @problems, 'no plan ("1..N")' unless defined $p->tests_planned;
if (@problems) {
	print "$_\n" for @problems;
	exit 1;
}
printf "ran %d of a plan of %d, %d skipped\n", $p->tests_run, $p->tests_planned,
	scalar $p->skipped;
exit 0;

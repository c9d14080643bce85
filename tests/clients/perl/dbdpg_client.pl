#!/usr/bin/perl
# DBD::Pg (libdbd-pg-perl) against one target: tests/clients/perl.sh. Server-side prepared
# statements (pg_server_prepare, the default), re-executed; bytea bound as such.
use strict;
use warnings;
use utf8;
use DBI;
use DBD::Pg qw(:pg_types);

binmode STDOUT, ':encoding(UTF-8)';
$| = 1;
my %E = map { $_ => $ENV{"MX_$_"} } qw(HOST PORT USER PASSWORD DBNAME TABLE);
my $T = $E{TABLE};
my $REPEAT = 12;
my @COLS = qw(id t i2 i4 i8 n f8 b nul u by ts uu j big);
my $UNI = "h\x{e9}llo w\x{f6}rld \x{2713} \x{65e5}\x{672c}\x{8a9e} \x{1f41c}";
my $JSON = "{\"a\": [1, 2, {\"b\": null}], \"c\": \"\x{fc}\", \"d\": 1.5}";
my $BYTES = join('', map { chr } 0 .. 255) . "\0\\'";
my $BIG = join('', map { chr(0x61 + $_ % 26) } 0 .. 1023) x 1024;
my $TS = '2024-02-29 12:34:56.789+00';
my $step = 'start';

sub fail { die "$_[0]\n" }
sub eqv {
    my ($want, $got, $what) = @_;
    my $d = sub { defined $_[0] ? (length($_[0]) > 200 ? substr($_[0], 0, 200) . '...' : $_[0]) : 'undef' };
    return if (!defined $want && !defined $got) || (defined $want && defined $got && $want eq $got);
    fail("$what: got " . $d->($got) . ", want " . $d->($want));
}
sub step {
    ($step, my $fn) = @_;
    eval { $fn->(); 1 } or do {
        my $e = $@;
        $e =~ s/\s+$//;
        $e =~ s/\n/ | /g;
        my $state = $DBI::state ? " [$DBI::state]" : '';
        print "FAIL $step$state: $e\n";
        exit 1;
    };
    print "ok $step\n";
}
sub values_of { my $id = $_[0]; return ($id, "plain text $id", -32768, 2147483647, '9007199254740993', '-1234567890.12345', 0.1, 1, undef, $UNI, $BYTES, $TS, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', $JSON, $BIG) }
my $dbh;
my $INSERT = "INSERT INTO $T (" . join(', ', @COLS) . ") VALUES (" . join(', ', ('?') x @COLS) . ")";
my $SELECT = "SELECT " . join(', ', @COLS) . ", ts = ?::timestamptz AS ts_ok FROM $T WHERE id = ?";
sub insert {
    my ($id) = @_;
    my $sth = $dbh->prepare($INSERT);
    my @v = values_of($id);
    for my $i (0 .. $#v) {
        $sth->bind_param($i + 1, $v[$i], $COLS[$i] eq 'by' ? { pg_type => PG_BYTEA } : ());
    }
    return $sth->execute;
}
sub check_row {
    my ($id) = @_;
    my $sth = $dbh->prepare($SELECT);
    $sth->execute($TS, $id);
    my $r = $sth->fetchrow_hashref or fail("no row with id $id");
    my @v = values_of($id);
    for my $i (0 .. $#COLS) {
        my $c = $COLS[$i];
        next if $c eq 'ts' || $c eq 'f8' || $c eq 'b';
        eqv($v[$i], $r->{$c}, "column $c");
    }
    eqv(0.1, $r->{f8} + 0, 'column f8');
    eqv(1, $r->{b}, 'column b');
    eqv(1, $r->{ts_ok}, "column ts ($r->{ts})");
    fail("more than one row with id $id") if $sth->fetchrow_hashref;
}
sub count { return $dbh->selectrow_array("SELECT count(*) FROM $T") }

step('connect with SCRAM', sub {
    $dbh = DBI->connect("dbi:Pg:host=$E{HOST};port=$E{PORT};dbname=$E{DBNAME};connect_timeout=10", $E{USER}, $E{PASSWORD},
        { AutoCommit => 1, RaiseError => 1, PrintError => 0, pg_enable_utf8 => 1, pg_server_prepare => 1 });
    eqv(1, $dbh->selectrow_array('SELECT 1'), 'SELECT 1');
});
step('create table', sub {
    $dbh->do("DROP TABLE IF EXISTS $T");
    $dbh->do("CREATE TABLE $T (id integer PRIMARY KEY, t text, i2 smallint, i4 integer, i8 bigint, n numeric, f8 double precision, b boolean, nul text, u text, by bytea, ts timestamptz, uu uuid, j json, big text)");
});
step('insert and select with parameters', sub {
    insert(1);
    check_row(1);
});
step('transaction rolled back', sub {
    $dbh->begin_work;
    insert(2);
    eqv(2, count(), 'rows inside the transaction');
    $dbh->rollback;
    eqv(1, count(), 'rows after rollback');
});
step('error then the same connection goes on', sub {
    eval { insert(1); 1 } and fail('a duplicate key was inserted');
    eqv('23505', $dbh->state, 'SQLSTATE of a duplicate key');
    eval { $dbh->selectrow_array('SELECT 1 / ?::int', undef, 0); 1 } and fail('1 / 0 succeeded');
    eqv('22012', $dbh->state, 'SQLSTATE of 1 / 0');
    eqv(42, $dbh->selectrow_array('SELECT ?::int + 1', undef, 41), 'query after the errors');
});
step('server-side prepared statements re-executed', sub {
    my $s1 = $dbh->prepare("SELECT i4 - ?::int, u || ?::text, n + ?::int FROM $T WHERE id = ?::int");
    my $s2 = $dbh->prepare("SELECT ?::text || 'x', ?::int * 2");
    for my $i (0 .. $REPEAT - 1) {
        $s1->execute($i, $i, $i, 1);
        my @r = $s1->fetchrow_array;
        eqv(2147483647 - $i, $r[0], "execution $i");
        eqv($UNI . $i, $r[1], "execution $i");
        eqv(sprintf('%.5f', -1234567890.12345 + $i), $r[2], "execution $i");
        $s1->finish;
        $s2->execute("s$i", $i);
        my @r2 = $s2->fetchrow_array;
        eqv("s${i}x", $r2[0], "second statement, execution $i");
        eqv(2 * $i, $r2[1], "second statement, execution $i");
        check_row(1);
    }
    fail('the statement was not prepared on the server') unless $s1->{pg_prepare_name};
});
step('close', sub { $dbh->disconnect });

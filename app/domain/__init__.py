"""Pure domain code: no Flask, no database; time, keys and rules come in as arguments."""

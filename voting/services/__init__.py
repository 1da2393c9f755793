"""Services: plain values in, a keyword-only session; they flush, the caller commits."""

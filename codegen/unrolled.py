"""The ``unrolled`` form (placeholder until written)."""

"""Pure domain logic of the capabilities: plain functions and dataclasses, no I/O."""

"""The product graph on the stored catalog: queries, pictures, policies, interface changes."""

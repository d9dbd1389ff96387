"""The registry: artifact records, their rows and folders kept in step, and the use cases over them."""

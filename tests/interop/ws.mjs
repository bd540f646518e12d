// placeholder: being written
process.exit(0)

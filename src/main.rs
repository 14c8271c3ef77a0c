fn main() {
    std::process::exit(altitude::cli::main());
}

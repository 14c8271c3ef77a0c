// mimalloc: a build allocates and frees millions of small strings across
// rayon's threads; glibc's malloc spent a fifth of a 10k-page build's
// samples on them (docs/performance-history.md, session 11).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(altitude::cli::main());
}

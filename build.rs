// The bundled playbook and theme are embedded with include_dir, which cannot
// tell cargo about the files it reads; these lines make edits to them rebuild.
fn main() {
    println!("cargo:rerun-if-changed=playbook");
    println!("cargo:rerun-if-changed=themes");
    println!("cargo:rerun-if-changed=scaffold");
}

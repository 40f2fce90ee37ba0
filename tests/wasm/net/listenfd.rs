// listenfd.wasm: a Rust program with no socket extension, as the acceptance asks: Rust
// std's TcpListener::from_raw_fd(3) takes the listener the runtime pre-opened for the pod's port
// mapping (LISTEN_FDS) and serves HTTP on it with std's accept/read/write (preview1 sock_accept,
// sock_recv, sock_send). Built with Debian's rustc and libstd-rust-dev-wasm32.
use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::wasi::io::FromRawFd;

fn main() {
    println!("listenfd: LISTEN_FDS={}", std::env::var("LISTEN_FDS").unwrap_or_default());
    let listener = unsafe { TcpListener::from_raw_fd(3) };
    for conn in listener.incoming() {
        let mut conn = match conn {
            Ok(c) => c,
            Err(e) => {
                eprintln!("accept: {}", e);
                continue;
            }
        };
        let mut request = [0u8; 2048];
        let _ = conn.read(&mut request);
        let body = "hello from Rust std on fd 3\n";
        let _ = write!(conn, "HTTP/1.0 200 OK\r\nContent-Length: {}\r\n\r\n{}", body.len(), body);
    }
}

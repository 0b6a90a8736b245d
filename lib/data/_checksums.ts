/**
 * Known checksums of the Fashion-MNIST files. Private.
 *
 * `gzMd5`: MD5 of the .gz files as published by Zalando Research (README of
 * github.com/zalandoresearch/fashion-mnist). `rawSha256`: SHA-256 of the decompressed IDX
 * bytes, which also accepts mirrors that recompress the same data (e.g. Debian's package).
 */
export const CHECKSUMS: Readonly<
  Record<string, { gzMd5: string; rawSha256: string; rawBytes: number }>
> = {
  "train-images-idx3-ubyte": {
    gzMd5: "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    rawSha256: "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    rawBytes: 47040016,
  },
  "train-labels-idx1-ubyte": {
    gzMd5: "25c81989df183df01b3e8a0aad5dffbe",
    rawSha256: "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    rawBytes: 60008,
  },
  "t10k-images-idx3-ubyte": {
    gzMd5: "bef4ecab320f06d8554ea6380940ec79",
    rawSha256: "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    rawBytes: 7840016,
  },
  "t10k-labels-idx1-ubyte": {
    gzMd5: "bb300cfdad3c16e7a12a480ee83cd310",
    rawSha256: "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    rawBytes: 10008,
  },
};

/** The canonical download location (Zalando Research's bucket). */
export const CANONICAL_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";

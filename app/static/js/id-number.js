// The 18-character resident ID number's shape and check character (GB 11643), checked on the device before asking the
// server (which checks it again).
const ID_NUMBER = /^\d{17}[\dX]$/;
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/** True for 17 digits and the right check character (0-9 or X). */
export function validIdNumber(number) {
  if (!ID_NUMBER.test(number)) return false;
  const sum = ID_WEIGHTS.reduce((total, weight, index) => total + weight * Number(number[index]), 0);
  return '10X98765432'[sum % 11] === number[17];
}
